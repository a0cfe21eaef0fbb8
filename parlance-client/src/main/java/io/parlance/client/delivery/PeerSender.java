package io.parlance.client.delivery;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.parlance.client.messaging.PeerLink;
import io.parlance.client.peer.Peer;
import io.parlance.client.store.DeliveryState;
import io.parlance.client.store.StoredMessage;
import io.parlance.protocol.wire.ChatLine;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one peer's outbox in order: reads it from the store in pages, keeps up to a window of
 * written but unacknowledged messages, and goes back to the oldest unacknowledged one when an
 * acknowledgement is late, the connection breaks, a write fails or the peer turns up at a new
 * address (go-back-N; the receiver drops the duplicates by id).
 *
 * <p>Lines go on one connection ({@link PeerLink}) at a time, for every peer: a line written on a
 * connection that then broke may be lost, so nothing later may reach the peer on a new connection
 * before it. When the connection closes with messages unacknowledged, they all go again, oldest
 * first, on the next one. A plain peer, which cannot acknowledge, is done with a line once it is
 * written.
 *
 * <p>Confined to one event loop: every method but {@link #address()} and {@link #run} runs there.
 */
final class PeerSender {

  private static final Logger LOG = LoggerFactory.getLogger(PeerSender.class);
  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
  static final long FIRST_RETRY_MILLIS = 500;

  /**
   * How long the record of a write to an acknowledging peer waits for the ack, so that the two
   * become one update of the store instead of two. The write's record is information (history shows
   * "sent", and how many attempts); the outbox does not need it to send again.
   */
  static final long SENT_RECORD_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

  /** A message handed to the writer, with when its write completed (-1 until then). */
  private static final class InFlight {
    private StoredMessage message;
    private long writtenAt = -1;

    private InFlight(StoredMessage message) {
      this.message = message;
    }
  }

  /** A caller waiting to learn how the first attempt at a message went. */
  private record Pending(StoredMessage message, CompletableFuture<Outgoing> outcome) {}

  final String key;
  final EventExecutor loop;
  private final Outbox outbox;
  private final int window;
  private final int memoryLimit;

  private volatile @Nullable InetSocketAddress address;

  /** The peer as the loop last learnt it, for other threads: null while it is away. */
  private volatile @Nullable Peer current;

  private @Nullable Peer peer;
  private String nickname;

  private final ArrayDeque<StoredMessage> queue = new ArrayDeque<>();
  private final LinkedHashMap<String, InFlight> inFlight = new LinkedHashMap<>();
  private final Map<String, Pending> outcomes = new HashMap<>();
  private long cursor;
  private boolean exhausted;
  private boolean loading;
  private boolean dirty;
  private long epoch;
  private long generation;
  private int failures;
  private int timeouts;
  private @Nullable String lastProblem;
  private @Nullable ScheduledFuture<?> retryTimer;
  private @Nullable ScheduledFuture<?> ackTimer;
  private long ackLimitNanos;

  /**
   * When the oldest message in flight last changed because the one before it was acknowledged, or
   * {@link Long#MIN_VALUE}: with its own write, where its wait for an ack starts.
   */
  private long headAckedAt = Long.MIN_VALUE;

  private @Nullable ScheduledFuture<?> paceTimer;
  private @Nullable PeerLink channel;
  private boolean connecting;
  private final List<String> sentToRecord = new ArrayList<>();

  /** Written to an acknowledging peer, not yet recorded: id to when it was written. */
  private final LinkedHashMap<String, Long> sentLater = new LinkedHashMap<>();

  private final List<String> sentAndDeliveredToRecord = new ArrayList<>();
  private @Nullable ScheduledFuture<?> sentTimer;
  private boolean pumpScheduled;
  private final List<String> sentFinalToRecord = new ArrayList<>();
  private final List<StoredMessage> deliveredToRecord = new ArrayList<>();
  private boolean recordScheduled;
  private long paceWindowStart = System.nanoTime();
  private int paceCount;
  private boolean closed;
  private long pagesRead;

  PeerSender(Outbox outbox, String key, String nickname, EventExecutor loop) {
    this.outbox = outbox;
    this.key = key;
    this.nickname = nickname;
    this.loop = loop;
    this.window = outbox.settings().window();
    this.memoryLimit = outbox.settings().memoryLimit();
  }

  /** How many pages of the outbox this sender asked the store for, for tests. */
  long pagesRead() {
    return pagesRead;
  }

  /**
   * Tells whether the sender already has this peer, as it is, online: then telling it again changes
   * nothing and can be skipped.
   */
  boolean knows(Peer p) {
    return p.equals(current);
  }

  /** The peer's message address while it is online, for checking where acks come from. */
  @Nullable InetSocketAddress address() {
    return address;
  }

  /**
   * Runs a task on the sender's loop.
   *
   * @return false if the loop is shut down
   */
  boolean run(Runnable task) {
    try {
      loop.execute(task);
      return true;
    } catch (RejectedExecutionException e) {
      return false;
    }
  }

  static Outgoing outgoing(
      StoredMessage m, String key, @Nullable Peer peer, @Nullable String note) {
    return new Outgoing(
        m.id(),
        key,
        m.nickname(),
        peer,
        m.content(),
        peer == null ? DeliveryState.QUEUED : DeliveryState.SENT,
        note);
  }

  // ---- events from the outbox ------------------------------------------------------------------

  void submitted(StoredMessage message, CompletableFuture<Outgoing> outcome) {
    outcomes.put(message.id(), new Pending(message, outcome));
    if (closed) {
      settleAll("the node stopped; it is sent at the next start");
    } else if (peer == null) {
      settleAll(nickname + " is not online; it is sent when " + nickname + " is back");
    } else {
      if (retryTimer != null) {
        settleAll("cannot reach " + nickname + " now (" + lastProblem + "); it stays queued");
      }
      if (caughtUp(message)) {
        // Everything before it is in memory already: take it as stored, without reading it back.
        cursor = message.seq();
        queue.add(message);
        outbox.waitFor(message.id(), this);
        pump();
      } else {
        more(); // read it from the store when its turn comes
      }
    }
  }

  /**
   * Tells whether a message just stored is the next one of the outbox in memory: every earlier one
   * was read (the last page came back short, and no read is running that might still bring some)
   * and there is room for it.
   */
  private boolean caughtUp(StoredMessage message) {
    return exhausted
        && !loading
        && message.seq() > cursor
        && queue.size() + inFlight.size() < memoryLimit;
  }

  /**
   * The peer is online at an address.
   *
   * @param p the peer
   * @param seen true when discovery just heard of it (joined, moved, renamed): what waits for a
   *     retry goes at once; false when a send named it
   */
  void present(Peer p, boolean seen) {
    if (closed) {
      return;
    }
    boolean moved = peer == null || !peer.address().equals(p.address());
    peer = p;
    current = p;
    nickname = p.nickname();
    address = p.address();
    if (moved) {
      dropConnection();
      goBack();
      failures = 0;
      timeouts = 0;
    }
    if ((seen || moved) && retryTimer != null) {
      retryTimer.cancel(false);
      retryTimer = null;
    }
    pump();
  }

  void absent(Peer p) {
    if (peer == null || !peer.address().equals(p.address())) {
      return;
    }
    peer = null;
    current = null;
    address = null;
    settleAll(nickname + " went offline; it is sent when " + nickname + " is back");
    forgetMemory();
  }

  void ack(String id) {
    if (!inFlight.isEmpty() && inFlight.keySet().iterator().next().equals(id)) {
      headAckedAt = System.nanoTime(); // progress: the next one waits from now, not its write
    }
    InFlight f = inFlight.remove(id);
    StoredMessage m = f != null ? f.message : removeQueued(id);
    if (m == null) {
      return; // acknowledged already
    }
    outbox.forget(id, this);
    timeouts = 0;
    failures = 0;
    boolean overtook = m.state() == DeliveryState.QUEUED;
    if (overtook) {
      // The ack overtook the write's completion: it was written, and is recorded as such.
      m = sentVersion(m);
      if (peer != null) {
        outbox.listener().sent(m, peer);
      }
      settle(id, peer);
    }
    if (sentLater.remove(id) != null || overtook) {
      sentAndDeliveredToRecord.add(id); // the write and the ack in one update
    }
    deliveredToRecord.add(m);
    scheduleRecord();
    if (inFlight.isEmpty() && ackTimer != null) {
      ackTimer.cancel(false);
      ackTimer = null;
    }
    schedulePump();
  }

  /**
   * Pumps once the tasks already queued on the loop have run: the acks of one read come as a burst
   * of tasks, and their writes then leave together.
   */
  private void schedulePump() {
    if (!pumpScheduled) {
      pumpScheduled = true;
      if (!run(
          () -> {
            pumpScheduled = false;
            pump();
          })) {
        pumpScheduled = false;
      }
    }
  }

  void close() {
    closed = true;
    current = null;
    settleAll("the node stopped; it is sent at the next start");
    forgetMemory();
  }

  // ---- reading the outbox ----------------------------------------------------------------------

  private void more() {
    if (loading) {
      dirty = true;
    } else {
      exhausted = false;
      pump();
    }
  }

  private void load() {
    if (loading || exhausted || peer == null || closed) {
      return;
    }
    int room = memoryLimit - queue.size() - inFlight.size();
    if (room < memoryLimit / 2 && !queue.isEmpty()) {
      return; // enough in memory to go on with; read a bigger page later
    }
    if (room <= 0) {
      return;
    }
    loading = true;
    dirty = false;
    pagesRead++;
    long at = epoch;
    long after = cursor;
    outbox
        .store()
        .submit(
            s -> s.outbox(key, after, room),
            (page, error) -> run(() -> loaded(at, room, page, error)));
  }

  private void loaded(
      long at, int asked, @Nullable List<StoredMessage> page, @Nullable Throwable error) {
    if (at != epoch) {
      return; // the peer left meanwhile; memory was cleared
    }
    loading = false;
    if (error != null) {
      lastProblem = cause(error).getMessage();
      outbox.listener().problem("cannot read the outbox for " + nickname + ": " + lastProblem);
      retryLater();
      return;
    }
    for (StoredMessage m : page) {
      if (m.seq() > cursor) {
        cursor = m.seq();
        queue.add(m);
        outbox.waitFor(m.id(), this);
      }
    }
    exhausted = page.size() < asked && !dirty;
    pump();
  }

  private @Nullable StoredMessage removeQueued(String id) {
    for (Iterator<StoredMessage> it = queue.iterator(); it.hasNext(); ) {
      StoredMessage m = it.next();
      if (m.id().equals(id)) {
        it.remove();
        return m;
      }
    }
    return null;
  }

  // ---- writing ---------------------------------------------------------------------------------

  private void pump() {
    if (peer == null || closed || retryTimer != null) {
      return;
    }
    if (!queue.isEmpty() && inFlight.size() < window) {
      if (channel == null || !channel.isOpen()) {
        connect();
      } else {
        boolean wrote = false;
        while (!queue.isEmpty() && inFlight.size() < window && paceAllows()) {
          write(channel, queue.poll());
          wrote = true;
        }
        if (wrote) {
          channel.flush(); // one flush for the whole burst
        }
      }
    }
    if (!exhausted && !loading) {
      load();
    }
  }

  private void connect() {
    if (connecting) {
      return;
    }
    if (channel != null) {
      dropConnection(); // closed under us, before its close was reported
    }
    connecting = true;
    long gen = generation;
    Peer to = peer;
    outbox
        .connections()
        .connection(to)
        .whenComplete((ch, error) -> run(() -> connected(gen, to, ch, error)));
  }

  private void connected(long gen, Peer to, @Nullable PeerLink ch, @Nullable Throwable error) {
    connecting = false;
    if (gen != generation || peer == null || !peer.address().equals(to.address())) {
      pump(); // the peer moved or left meanwhile: start over from its current state
      return;
    }
    if (error != null) {
      failed(cause(error));
      return;
    }
    channel = ch;
    ch.closed().whenComplete((ignored, e) -> run(() -> disconnected(ch)));
    pump();
  }

  private void disconnected(PeerLink ch) {
    if (ch != channel) {
      return;
    }
    channel = null;
    if (inFlight.isEmpty()) {
      pump();
      return;
    }
    // Sent again on a new connection after a pause that grows while no ack comes, so a peer
    // that keeps closing (it cannot store, say) is not hammered.
    failed(
        new IllegalStateException(
            "the connection closed with " + inFlight.size() + " message(s) unacknowledged"));
  }

  /** Forgets the connection of this generation, closing it, so the next write opens a new one. */
  private void dropConnection() {
    PeerLink ch = channel;
    channel = null;
    if (ch != null) {
      goBack();
      ch.close();
    }
  }

  private boolean paceAllows() {
    long now = System.nanoTime();
    if (now - paceWindowStart >= SECOND) {
      paceWindowStart = now;
      paceCount = 0;
    }
    if (paceCount < outbox.settings().linesPerSecond()) {
      paceCount++;
      return true;
    }
    if (paceTimer == null) {
      paceTimer =
          loop.schedule(
              () -> {
                paceTimer = null;
                pump();
              },
              paceWindowStart + SECOND - now,
              TimeUnit.NANOSECONDS);
    }
    return false;
  }

  private void write(PeerLink link, StoredMessage m) {
    inFlight.put(m.id(), new InFlight(m));
    Peer to = peer;
    // A plain peer gets no id: it cannot acknowledge one.
    String id = to.has("ack") ? m.id() : null;
    ChatLine line = new ChatLine(outbox.ourNickname(), m.content(), m.timestamp(), id);
    long gen = generation;
    link.write(line).whenComplete((ok, error) -> run(() -> written(gen, to, m.id(), error)));
  }

  private void written(long gen, Peer to, String id, @Nullable Throwable error) {
    InFlight f = inFlight.get(id);
    boolean acks = to.has("ack");
    if (gen != generation || f == null) {
      if (error == null && !acks) {
        // Written to a plain peer after all: it must not go twice.
        StoredMessage m = removeQueued(id);
        if (m != null) {
          finishPlain(sentVersion(m), to);
        }
      }
      return; // an older attempt, or acknowledged already
    }
    if (error != null) {
      failed(cause(error));
      return;
    }
    f.writtenAt = System.nanoTime();
    if (!acks) {
      failures = 0; // written is all a plain peer can tell; an ack resets it for the others
      inFlight.remove(id);
      finishPlain(f.message, to);
      pump();
      return;
    }
    boolean first = f.message.state() == DeliveryState.QUEUED;
    if (first) {
      f.message = sentVersion(f.message);
    }
    recordSentLater(id);
    if (first) {
      outbox.listener().sent(f.message, to);
    }
    settle(id, to);
    armAckTimer();
  }

  /**
   * Records the writes and acks of this loop turn in one store call once the tasks already queued
   * on the loop (the other completions of a burst) have run.
   */
  private void scheduleRecord() {
    if (!recordScheduled) {
      recordScheduled = true;
      if (!run(this::record)) {
        record();
      }
    }
  }

  /**
   * Keeps the record of a write until its ack comes (then both are one update) or {@link
   * #SENT_RECORD_DELAY_NANOS} passed. A message written again before its first write was recorded
   * has that one recorded now, so every attempt counts.
   */
  private void recordSentLater(String id) {
    if (sentLater.remove(id) != null) {
      sentToRecord.add(id);
      scheduleRecord();
    }
    sentLater.put(id, System.nanoTime());
    armSentTimer();
  }

  private void armSentTimer() {
    if (sentTimer != null || sentLater.isEmpty()) {
      return;
    }
    long oldest = sentLater.values().iterator().next();
    long wait = Math.max(1, oldest + SENT_RECORD_DELAY_NANOS - System.nanoTime());
    sentTimer = loop.schedule(this::sentDue, wait, TimeUnit.NANOSECONDS);
  }

  /** Records the writes whose ack did not come within the delay. */
  private void sentDue() {
    sentTimer = null;
    long now = System.nanoTime();
    for (Iterator<Map.Entry<String, Long>> it = sentLater.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, Long> e = it.next();
      if (now - e.getValue() < SENT_RECORD_DELAY_NANOS) {
        break; // in the order written: the rest are younger
      }
      sentToRecord.add(e.getKey());
      it.remove();
    }
    scheduleRecord();
    armSentTimer();
  }

  private void record() {
    recordScheduled = false;
    if (sentToRecord.isEmpty()
        && deliveredToRecord.isEmpty()
        && sentFinalToRecord.isEmpty()
        && sentAndDeliveredToRecord.isEmpty()) {
      return;
    }
    List<String> sent = List.copyOf(sentToRecord);
    List<String> sentFinal = List.copyOf(sentFinalToRecord);
    List<StoredMessage> delivered = List.copyOf(deliveredToRecord);
    Set<String> both = new HashSet<>(sentAndDeliveredToRecord);
    sentToRecord.clear();
    sentFinalToRecord.clear();
    deliveredToRecord.clear();
    sentAndDeliveredToRecord.clear();
    List<String> sentAndDelivered = new ArrayList<>(both.size());
    List<String> deliveredIds = new ArrayList<>(delivered.size() - both.size());
    for (StoredMessage m : delivered) {
      (both.contains(m.id()) ? sentAndDelivered : deliveredIds).add(m.id());
    }
    outbox
        .store()
        .submit(
            s -> {
              s.markSent(key, sent);
              s.markSentFinal(key, sentFinal);
              s.markSentAndDelivered(key, sentAndDelivered);
              s.markDelivered(key, deliveredIds);
              return null;
            },
            (ignored, error) -> {
              if (error != null) {
                outbox
                    .listener()
                    .problem(
                        "cannot record the state of messages to "
                            + nickname
                            + " (they stay in the outbox): "
                            + cause(error).getMessage());
              } else {
                delivered.forEach(outbox.listener()::delivered);
              }
            });
  }

  private void finishPlain(StoredMessage m, Peer to) {
    outbox.forget(m.id(), this);
    sentFinalToRecord.add(m.id());
    scheduleRecord();
    if (m.state() == DeliveryState.QUEUED) {
      outbox.listener().sent(sentVersion(m), to);
    }
    settle(m.id(), to);
  }

  private void failed(Throwable error) {
    lastProblem = error.getMessage() == null ? error.toString() : error.getMessage();
    LOG.info("Cannot deliver to {} now: {}", nickname, lastProblem);
    dropConnection();
    goBack();
    settleAll("cannot reach " + nickname + " now (" + lastProblem + "); it stays queued");
    retryLater();
  }

  private void retryLater() {
    if (retryTimer != null || closed) {
      return;
    }
    long delay = retryDelayMillis(failures, outbox.settings().maxRetryDelay().toMillis());
    failures++;
    retryTimer =
        loop.schedule(
            () -> {
              retryTimer = null;
              pump();
            },
            delay,
            TimeUnit.MILLISECONDS);
  }

  /**
   * Returns how long to wait before the next attempt after some failures in a row: exponential
   * backoff from {@value #FIRST_RETRY_MILLIS} ms, doubled each time up to the longest wait, with
   * jitter in its upper half so many senders do not retry in step.
   *
   * @param failures the failures in a row before this one
   * @param maxMillis the longest wait
   * @return the wait, in milliseconds, between half the ceiling and the ceiling
   */
  static long retryDelayMillis(int failures, long maxMillis) {
    long ceiling = retryCeilingMillis(failures, maxMillis);
    return ceiling / 2 + ThreadLocalRandom.current().nextLong(ceiling / 2 + 1);
  }

  /**
   * Returns the most a retry waits after some failures in a row.
   *
   * @param failures the failures in a row before this one
   * @param maxMillis the longest wait
   * @return {@value #FIRST_RETRY_MILLIS} ms doubled per failure, at most {@code maxMillis}
   */
  static long retryCeilingMillis(int failures, long maxMillis) {
    return Math.min(maxMillis, FIRST_RETRY_MILLIS << Math.min(failures, 20));
  }

  private void armAckTimer() {
    if (ackTimer != null || inFlight.isEmpty()) {
      return;
    }
    long ceiling =
        Math.min(
            outbox.settings().maxRetryDelay().toNanos(),
            outbox.settings().ackTimeout().toNanos() << Math.min(timeouts, 20));
    // Jitter: somewhere in the upper quarter, so many senders do not re-send in step.
    ackLimitNanos = ceiling - ThreadLocalRandom.current().nextLong(ceiling / 4 + 1);
    ackTimer = loop.schedule(this::checkAcks, ackLimitNanos, TimeUnit.NANOSECONDS);
  }

  private void checkAcks() {
    ackTimer = null;
    if (inFlight.isEmpty() || peer == null) {
      return;
    }
    // The oldest message waits from its write, or from the ack of the one before it if that came
    // later: a peer that keeps acknowledging in order is slow, not gone, however large the window.
    InFlight oldest = inFlight.values().iterator().next();
    long now = System.nanoTime();
    long since = Math.max(oldest.writtenAt, headAckedAt);
    if (oldest.writtenAt < 0 || now - since < ackLimitNanos) {
      long wait = oldest.writtenAt < 0 ? ackLimitNanos : ackLimitNanos - (now - since);
      ackTimer = loop.schedule(this::checkAcks, Math.max(wait, 1), TimeUnit.NANOSECONDS);
      return;
    }
    timeouts++;
    long waited = TimeUnit.NANOSECONDS.toMillis(now - since);
    lastProblem = "no acknowledgement for " + waited + " ms";
    LOG.info(
        "{} has not acknowledged {} message(s) for {} ms; sending them again",
        nickname,
        inFlight.size(),
        waited);
    goBack();
    settleAll(nickname + " has not acknowledged earlier messages yet; it stays queued");
    pump();
  }

  /** Puts every unacknowledged message back in front of the queue, in order, to be sent again. */
  private void goBack() {
    generation++;
    if (ackTimer != null) {
      ackTimer.cancel(false);
      ackTimer = null;
    }
    List<StoredMessage> back = new ArrayList<>(inFlight.size());
    inFlight.values().forEach(f -> back.add(f.message));
    inFlight.clear();
    for (int i = back.size() - 1; i >= 0; i--) {
      queue.addFirst(back.get(i));
    }
  }

  private void forgetMemory() {
    sentToRecord.addAll(sentLater.keySet()); // written: recorded now, acked or not
    sentLater.clear();
    record();
    generation++;
    epoch++;
    for (ScheduledFuture<?> t :
        new ScheduledFuture<?>[] {retryTimer, ackTimer, paceTimer, sentTimer}) {
      if (t != null) {
        t.cancel(false);
      }
    }
    retryTimer = null;
    ackTimer = null;
    paceTimer = null;
    sentTimer = null;
    channel = null;
    connecting = false;
    inFlight.keySet().forEach(id -> outbox.forget(id, this));
    queue.forEach(m -> outbox.forget(m.id(), this));
    inFlight.clear();
    queue.clear();
    cursor = 0;
    exhausted = false;
    loading = false;
    dirty = false;
  }

  // ---- telling callers -------------------------------------------------------------------------

  private void settle(String id, @Nullable Peer to) {
    Pending p = outcomes.remove(id);
    if (p != null) {
      p.outcome().complete(outgoing(p.message(), key, to, null));
    }
  }

  private void settleAll(String note) {
    for (Pending p : outcomes.values()) {
      p.outcome().complete(outgoing(p.message(), key, null, note));
    }
    outcomes.clear();
  }

  private static StoredMessage sentVersion(StoredMessage m) {
    return new StoredMessage(
        m.seq(),
        m.id(),
        m.direction(),
        m.peer(),
        m.nickname(),
        m.content(),
        m.timestamp(),
        DeliveryState.SENT,
        m.attempts() + 1);
  }

  private static Throwable cause(Throwable error) {
    return error instanceof CompletionException && error.getCause() != null
        ? error.getCause()
        : error;
  }
}
