package io.parlance.client.messaging;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.Future;
import io.parlance.protocol.LogLimiter;
import io.parlance.protocol.codec.LineFrameDecoder;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shares the listener's connection slots fairly: at most {@link InboundLimits#maxConnections()}
 * open, at most {@link InboundLimits#maxConnectionsPerAddress()} from one address, and {@link
 * InboundLimits#reservedForKnownPeers()} of them only for known peers. When a new connection finds
 * no free slot, the longest-idle connection that may go is closed to make room: a connection may go
 * once it delivered a whole line and has nothing half-sent (a sender that writes one line and
 * closes is done with it), or after a second without a byte; a known peer's connection goes only to
 * make room for another known peer's. If none may go, the new connection is kept and the listener
 * stops accepting until one may, so the next ones wait in the kernel's queue instead of being
 * closed with their message in them; only a connection from an address that holds its share with
 * busy connections is refused, and any past {@value #OVERSHOOT} over the limit. A connection from
 * an unknown address that has not delivered a valid line within {@link
 * InboundLimits#firstLineTimeout()} (a TLS handshake included) is closed, and so is one that
 * delivered nothing in its first second while its address holds more than its share. It also keeps
 * the budgets of bytes of unfinished lines per address and in all. One shared instance per server;
 * thread-safe.
 */
@Sharable
public final class ConnectionLimitHandler extends ChannelInboundHandlerAdapter {

  /** How long a connection that has not finished a line must stay silent before it may go. */
  static final long EVICTABLE_AFTER_NANOS = TimeUnit.SECONDS.toNanos(1);

  private static final Logger LOG = LoggerFactory.getLogger(ConnectionLimitHandler.class);
  private static final Duration LOG_GAP = Duration.ofSeconds(10);

  /**
   * How many connections past the limit the listener keeps while it stops accepting: those it
   * accepted before it noticed; any more are refused.
   */
  static final int OVERSHOOT = 64;

  /** How often a listener that stopped accepting checks whether it may start again. */
  static final long RECHECK_MILLIS = 10;

  private static final AttributeKey<Boolean> REGISTERING =
      AttributeKey.valueOf(ConnectionLimitHandler.class, "registering");
  private static final AttributeKey<Slot> SLOT =
      AttributeKey.valueOf(ConnectionLimitHandler.class, "slot");

  /** One open connection's place. Times are written on its event loop, read under the lock. */
  private static final class Slot {
    final Channel channel;
    final InetAddress address;
    volatile boolean known;
    volatile long lastReadNanos;
    volatile long lastLineNanos;
    volatile boolean delivered;
    final long acceptedNanos;
    // The checks a second after accepting and at the first-line deadline; event loop only.
    Future<?> settleCheck;
    Future<?> firstLineCheck;

    Slot(Channel channel, InetAddress address, boolean known, long now) {
      this.channel = channel;
      this.acceptedNanos = now;
      this.address = address;
      this.known = known;
      this.lastReadNanos = now;
    }

    /**
     * Cancels the checks: once a line is delivered or the connection is closed they have nothing to
     * do, and a sender that opens a connection per message would otherwise leave thousands a second
     * in the event loop's timer queue, each holding its closed channel for ten seconds. On the
     * event loop.
     */
    void cancelChecks() {
      if (settleCheck != null) {
        settleCheck.cancel(false);
        settleCheck = null;
      }
      if (firstLineCheck != null) {
        firstLineCheck.cancel(false);
        firstLineCheck = null;
      }
    }

    /** Whether it delivered a line or has been open for a while: it holds its slot. */
    boolean settled(long now) {
      return delivered || now - acceptedNanos >= EVICTABLE_AFTER_NANOS;
    }

    /** Whether closing it now loses nothing a sender finished writing, or it hoards its slot. */
    boolean evictable(long now) {
      return (delivered && lastLineNanos - lastReadNanos >= 0)
          || now - lastReadNanos >= EVICTABLE_AFTER_NANOS;
    }
  }

  /** The answer of {@link #roomFor} when every slot is busy and none may go. */
  private static final Slot FULL = new Slot(null, null, false, 0);

  private final InboundLimits limits;
  private final Predicate<Channel> known;
  private final LongSupplier nanoClock;
  private final Object lock = new Object();
  private final Map<Channel, Slot> slots = new HashMap<>(); // guarded by lock
  private final Map<InetAddress, Integer> perAddress = new HashMap<>(); // guarded by lock
  private final Map<InetAddress, Long> pendingPerAddress = new HashMap<>(); // guarded by lock
  private long pending; // guarded by lock
  private final AtomicLong accepted = new AtomicLong();
  private final AtomicLong rejected = new AtomicLong();
  private final AtomicLong evicted = new AtomicLong();
  private final AtomicLong timedOut = new AtomicLong();
  private final AtomicLong pauses = new AtomicLong();
  private final AtomicInteger registering = new AtomicInteger();
  private final AcceptGate acceptGate = new AcceptGate();
  private final AtomicBoolean paused = new AtomicBoolean();
  private final LogLimiter warnings;

  /**
   * Creates the handler with no known peers, on the system clock.
   *
   * @param maxConnections the most connections open at once
   */
  public ConnectionLimitHandler(int maxConnections) {
    this(
        InboundLimits.DEFAULTS
            .withMaxConnections(maxConnections)
            .withAddressLimits(maxConnections, 0),
        channel -> false);
  }

  /**
   * Creates the handler on the system clock.
   *
   * @param limits the limits
   * @param known tells whether a connection comes from a peer the node knows (its address is in the
   *     directory, or it proved an id the directory lists); called on event loops
   */
  public ConnectionLimitHandler(InboundLimits limits, Predicate<Channel> known) {
    this(limits, known, System::nanoTime);
  }

  /**
   * Creates the handler.
   *
   * @param limits the limits
   * @param known tells whether a connection comes from a peer the node knows
   * @param nanoClock a monotonic clock in nanoseconds
   */
  public ConnectionLimitHandler(
      InboundLimits limits, Predicate<Channel> known, LongSupplier nanoClock) {
    this.limits = Objects.requireNonNull(limits, "limits");
    this.known = Objects.requireNonNull(known, "known");
    this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
    this.warnings = new LogLimiter(1, LOG_GAP, nanoClock);
  }

  /**
   * Returns the handler for the listening channel, which stops accepting before the connections
   * accepted but not yet set up push the listener past its limit: the kernel holds new ones in its
   * queue meanwhile.
   *
   * @return the handler, the same each time
   */
  ChannelInboundHandler acceptGate() {
    return acceptGate;
  }

  /** Counts accepted connections until they are set up, and pauses accepting when they are many. */
  @Sharable
  private final class AcceptGate extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
      if (msg instanceof Channel child) {
        registering.incrementAndGet();
        child.attr(REGISTERING).set(Boolean.TRUE);
        child.closeFuture().addListener(f -> registered(child));
        int open;
        synchronized (lock) {
          open = slots.size();
        }
        if (open + registering.get() >= limits.maxConnections() + OVERSHOOT / 2) {
          pauseAccepting(ctx.channel());
        }
      }
      super.channelRead(ctx, msg);
    }
  }

  private void registered(Channel child) {
    if (child.attr(REGISTERING).getAndSet(null) != null) {
      registering.decrementAndGet();
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    Channel channel = ctx.channel();
    registered(channel);
    long now = nanoClock.getAsLong();
    Slot slot = new Slot(channel, addressOf(channel), known.test(channel), now);
    Slot victim;
    boolean pause = false;
    synchronized (lock) {
      victim = roomFor(slot, now);
      if (victim == FULL && slots.size() >= limits.maxConnections() + OVERSHOOT) {
        victim = slot;
      }
      if (victim != slot) {
        if (victim == FULL) {
          pause = true;
          victim = null;
        } else if (victim != null) {
          remove(victim);
        }
        slots.put(channel, slot);
        perAddress.merge(slot.address, 1, Integer::sum);
      }
    }
    if (victim == slot) {
      rejected.incrementAndGet();
      warn(
          () ->
              "["
                  + channel.id().asShortText()
                  + "] Refused a connection from "
                  + channel.remoteAddress()
                  + ": no free slot and none idle to close for it (at most "
                  + limits.maxConnections()
                  + " connections, "
                  + limits.maxConnectionsPerAddress()
                  + " from one address)");
      ctx.close();
      return;
    }
    if (victim != null) {
      evicted.incrementAndGet();
      Slot gone = victim;
      warn(
          () ->
              "["
                  + gone.channel.id().asShortText()
                  + "] Closed the idle connection from "
                  + gone.channel.remoteAddress()
                  + " to make room for a new one from "
                  + channel.remoteAddress());
      victim.channel.close();
    }
    if (pause) {
      pauseAccepting(channel.parent());
    }
    accepted.incrementAndGet();
    channel.attr(SLOT).set(slot);
    slot.settleCheck =
        ctx.executor().schedule(() -> settle(slot), EVICTABLE_AFTER_NANOS, TimeUnit.NANOSECONDS);
    slot.firstLineCheck =
        ctx.executor()
            .schedule(
                () -> firstLineDue(slot),
                limits.firstLineTimeout().toNanos(),
                TimeUnit.NANOSECONDS);
    channel
        .closeFuture()
        .addListener(
            f -> {
              slot.cancelChecks();
              synchronized (lock) {
                remove(slot);
              }
            });
    super.channelActive(ctx);
  }

  /**
   * Stops the listener accepting while every slot is busy, so new connections wait in the kernel's
   * accept queue instead of being closed with a message in them; a check every {@value
   * #RECHECK_MILLIS} ms starts it again once a slot is free or a connection may make room.
   */
  private void pauseAccepting(Channel listener) {
    if (listener == null || !paused.compareAndSet(false, true)) {
      return;
    }
    pauses.incrementAndGet();
    warn(
        () ->
            "Stopped accepting connections for a moment: the "
                + limits.maxConnections()
                + " slots are busy with connections that are neither done nor idle, or new ones"
                + " arrive faster than they are set up; new ones wait in the kernel's queue");
    listener.config().setAutoRead(false);
    listener
        .eventLoop()
        .schedule(() -> resumeWhenRoom(listener), RECHECK_MILLIS, TimeUnit.MILLISECONDS);
  }

  private void resumeWhenRoom(Channel listener) {
    if (!listener.isOpen()) {
      return;
    }
    boolean room;
    synchronized (lock) {
      long now = nanoClock.getAsLong();
      long unknown = slots.values().stream().filter(s -> !s.known).count();
      room =
          slots.size() + registering.get() < limits.maxConnections() + OVERSHOOT / 2
              && (unknown < limits.maxConnections() - limits.reservedForKnownPeers()
                  || longestIdle(s -> !s.known, now) != null);
    }
    if (room) {
      paused.set(false);
      listener.config().setAutoRead(true);
    } else {
      listener
          .eventLoop()
          .schedule(() -> resumeWhenRoom(listener), RECHECK_MILLIS, TimeUnit.MILLISECONDS);
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    Slot slot = ctx.channel().attr(SLOT).get();
    if (slot != null) {
      slot.lastReadNanos = nanoClock.getAsLong();
    }
    super.channelRead(ctx, msg);
  }

  /**
   * Notes that a connection delivered a valid line: from now on it may be closed to make room while
   * it has nothing half-sent, and it may have proven who it is.
   *
   * @param channel the connection
   */
  void lineDelivered(Channel channel) {
    Slot slot = channel.attr(SLOT).get();
    if (slot != null) {
      if (!slot.delivered) {
        slot.known = slot.known || known.test(channel);
        slot.delivered = true;
        if (channel.eventLoop().inEventLoop()) {
          slot.cancelChecks();
        }
      }
      slot.lastLineNanos = nanoClock.getAsLong();
    }
  }

  /**
   * Returns the budget of bytes of unfinished lines for a connection's framer: its address's share
   * and the whole listener's.
   *
   * @param channel the connection
   * @return the budget
   */
  LineFrameDecoder.Budget budget(Channel channel) {
    InetAddress address = addressOf(channel);
    return new LineFrameDecoder.Budget() {
      @Override
      public String reserve(int bytes) {
        synchronized (lock) {
          long mine = pendingPerAddress.getOrDefault(address, 0L);
          if (mine + bytes > limits.maxPendingBytesPerAddress()) {
            return "its address has "
                + mine
                + " bytes of unfinished lines waiting, the most one address may have is "
                + limits.maxPendingBytesPerAddress();
          }
          if (pending + bytes > limits.maxPendingBytes()) {
            return "the listener holds "
                + pending
                + " bytes of unfinished lines, the most it holds is "
                + limits.maxPendingBytes();
          }
          pendingPerAddress.put(address, mine + bytes);
          pending += bytes;
          return null;
        }
      }

      @Override
      public void release(int bytes) {
        synchronized (lock) {
          long left = pendingPerAddress.getOrDefault(address, 0L) - bytes;
          if (left > 0) {
            pendingPerAddress.put(address, left);
          } else {
            pendingPerAddress.remove(address);
          }
          pending -= bytes;
        }
      }
    };
  }

  /**
   * Returns the slot to give up for a new connection: null if one is free, another connection's to
   * close, {@link #FULL} if the slots it may take are all busy and none may go, or the new one's
   * own if it must be refused because its address holds its share with busy connections.
   * Connections younger than a second that have not delivered a line do not count against their
   * address: a sender that opens one connection per message has many of those, and they are gone in
   * a moment. Called under the lock.
   */
  private Slot roomFor(Slot fresh, long now) {
    if (perAddress.getOrDefault(fresh.address, 0) >= limits.maxConnectionsPerAddress()) {
      long settled =
          slots.values().stream()
              .filter(s -> s.address.equals(fresh.address) && s.settled(now))
              .count();
      if (settled >= limits.maxConnectionsPerAddress()) {
        Slot victim = longestIdle(s -> s.address.equals(fresh.address), now);
        return victim == null ? fresh : victim;
      }
    }
    int total = slots.size();
    int forAnyone = limits.maxConnections() - limits.reservedForKnownPeers();
    if (total < forAnyone) {
      return null;
    }
    long unknown = slots.values().stream().filter(s -> !s.known).count();
    boolean full = total >= limits.maxConnections() || (!fresh.known && unknown >= forAnyone);
    if (!full) {
      return null;
    }
    Slot victim = longestIdle(s -> !s.known, now);
    if (victim == null && fresh.known) {
      victim = longestIdle(s -> true, now);
    }
    return victim == null ? FULL : victim;
  }

  private Slot longestIdle(Predicate<Slot> among, long now) {
    Slot best = null;
    for (Slot s : slots.values()) {
      if (among.test(s)
          && s.evictable(now)
          && (best == null || s.lastReadNanos - best.lastReadNanos < 0)) {
        best = s;
      }
    }
    return best;
  }

  /** Gives a slot back, once. Called under the lock. */
  private void remove(Slot slot) {
    if (slots.remove(slot.channel, slot)) {
      perAddress.computeIfPresent(slot.address, (a, n) -> n > 1 ? n - 1 : null);
    }
  }

  /**
   * A second after a connection was accepted: if it has delivered nothing and its address now holds
   * more than its share of settled connections, it is one too many (a burst of new connections that
   * deliver nothing), and goes.
   */
  private void settle(Slot slot) {
    if (slot.delivered || !slot.channel.isActive()) {
      return;
    }
    long now = nanoClock.getAsLong();
    long settled;
    synchronized (lock) {
      if (perAddress.getOrDefault(slot.address, 0) <= limits.maxConnectionsPerAddress()) {
        return;
      }
      settled =
          slots.values().stream()
              .filter(s -> s.address.equals(slot.address) && s.settled(now))
              .count();
    }
    if (settled > limits.maxConnectionsPerAddress()) {
      evicted.incrementAndGet();
      warn(
          () ->
              "["
                  + slot.channel.id().asShortText()
                  + "] Closed a connection from "
                  + slot.channel.remoteAddress()
                  + ": its address holds more than "
                  + limits.maxConnectionsPerAddress()
                  + " connections and this one delivered nothing");
      slot.channel.close();
    }
  }

  private void firstLineDue(Slot slot) {
    if (!slot.delivered && slot.channel.isActive() && !known.test(slot.channel)) {
      timedOut.incrementAndGet();
      warn(
          () ->
              "["
                  + slot.channel.id().asShortText()
                  + "] Closed the connection from "
                  + slot.channel.remoteAddress()
                  + ": no valid line within "
                  + limits.firstLineTimeout().toMillis()
                  + " ms of connecting");
      slot.channel.close();
    }
  }

  /** Logs at WARN at most once every ten seconds, saying how many went to DEBUG meanwhile. */
  private void warn(Supplier<String> message) {
    if (!warnings.log(more -> LOG.warn("{}{}", message.get(), more)) && LOG.isDebugEnabled()) {
      LOG.debug(message.get());
    }
  }

  private static InetAddress addressOf(Channel channel) {
    return channel.remoteAddress() instanceof InetSocketAddress remote
            && remote.getAddress() != null
        ? remote.getAddress()
        : InetAddress.getLoopbackAddress();
  }

  /**
   * Returns how many connections are open.
   *
   * @return the count
   */
  public int open() {
    synchronized (lock) {
      return slots.size();
    }
  }

  /**
   * Returns how many connections were accepted since the start.
   *
   * @return the count
   */
  public long accepted() {
    return accepted.get();
  }

  /**
   * Returns how many connections were refused for want of a slot.
   *
   * @return the count
   */
  public long rejected() {
    return rejected.get();
  }

  /**
   * Returns how many idle connections were closed to make room for new ones.
   *
   * @return the count
   */
  public long evicted() {
    return evicted.get();
  }

  /**
   * Returns how many connections were closed for not delivering a first line in time.
   *
   * @return the count
   */
  public long timedOut() {
    return timedOut.get();
  }

  /**
   * Returns how many times the listener stopped accepting because every slot was busy.
   *
   * @return the count
   */
  public long pauses() {
    return pauses.get();
  }

  /**
   * Returns how many bytes of unfinished lines the framers hold, for tests.
   *
   * @return the count
   */
  long pendingBytes() {
    synchronized (lock) {
      return pending;
    }
  }
}
