package io.parlance.bootstrap.relay;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.parlance.protocol.bootstrap.BootstrapProtocol;
import io.parlance.protocol.bootstrap.RelayFrames;
import io.parlance.protocol.identity.Signatures;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pairs peers for relayed sessions: hands out two single-use tokens per session (one each side),
 * expires them, counts sessions against the operator's limits, and splices the two WebSockets once
 * both sides joined. It never reads what it forwards.
 *
 * <p>Each token is bound to its side's proven key: a join that names a key must name that side's
 * and sign the token with it, and a side this server did not register (offered across the cluster)
 * must. A join refused for its key does not spend the token; any other join spends it.
 */
public final class RelayBroker {

  private static final Logger LOG = LoggerFactory.getLogger(RelayBroker.class);

  /** The handler name of a relayed side's forwarder, in place of the registry handler. */
  public static final String FORWARDER = "relay-forwarder";

  private final RelayLimits limits;
  private final SecureRandom random;
  private final ConcurrentHashMap<String, Side> tokens = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, AtomicInteger> perPeer = new ConcurrentHashMap<>();
  private final AtomicInteger sessions = new AtomicInteger();
  private final AtomicInteger paired = new AtomicInteger();
  private final LongAdder opened = new LongAdder();
  private final LongAdder bytes = new LongAdder();
  private final LongAdder frames = new LongAdder();
  private final LongAdder refused = new LongAdder();
  private final LongAdder expired = new LongAdder();

  /**
   * Creates the broker.
   *
   * @param limits the operator's limits
   * @param random makes the tokens
   */
  public RelayBroker(RelayLimits limits, SecureRandom random) {
    this.limits = Objects.requireNonNull(limits, "limits");
    this.random = Objects.requireNonNull(random, "random");
  }

  /**
   * Returns the limits.
   *
   * @return the limits
   */
  public RelayLimits limits() {
    return limits;
  }

  /**
   * The two tokens of a new session.
   *
   * @param requester the token for the peer that asked
   * @param target the token for the peer asked for
   */
  public record Tokens(String requester, String target) {}

  /**
   * Opens a session between two peers with proven keys, if the limits allow: both tokens are valid
   * for {@link RelayLimits#joinTimeout()}, once each.
   *
   * @param requesterId the asking peer's proven id
   * @param targetId the target's proven id
   * @param timer where the expiry runs (the requester's event loop)
   * @return the tokens, or a refusal in words
   */
  public Result open(String requesterId, String targetId, java.util.concurrent.Executor timer) {
    return open(requesterId, null, targetId, null, false, timer);
  }

  /**
   * Opens a session between two peers with proven keys, if the limits allow: both tokens are valid
   * for {@link RelayLimits#joinTimeout()}, once each, and bound to the peers' keys.
   *
   * @param requesterId the asking peer's proven id
   * @param requesterKey its public key (base64 X.509), or null if its joins need not be checked
   * @param targetId the target's proven id
   * @param targetKey the target's public key, or null
   * @param targetRemote true when the target is registered on another server: its join must then
   *     prove {@code targetKey}
   * @param timer where the expiry runs (the requester's event loop)
   * @return the tokens, or a refusal in words
   */
  public Result open(
      String requesterId,
      String requesterKey,
      String targetId,
      String targetKey,
      boolean targetRemote,
      java.util.concurrent.Executor timer) {
    if (targetRemote && targetKey == null) {
      refused.increment();
      return Result.refused("that peer registered no key this server could check");
    }
    if (!limits.enabled()) {
      refused.increment();
      return Result.refused("this server does not relay");
    }
    if (requesterId.equals(targetId)) {
      refused.increment();
      return Result.refused("a peer cannot be relayed to itself");
    }
    if (sessions.incrementAndGet() > limits.maxSessions()) {
      sessions.decrementAndGet();
      refused.increment();
      return Result.refused(
          "the relay is full (" + limits.maxSessions() + " sessions); try again later");
    }
    if (!takePeer(requesterId)) {
      sessions.decrementAndGet();
      refused.increment();
      return Result.refused(
          "you have " + limits.maxSessionsPerPeer() + " relayed sessions already; close one first");
    }
    if (!takePeer(targetId)) {
      releasePeer(requesterId);
      sessions.decrementAndGet();
      refused.increment();
      return Result.refused("that peer has as many relayed sessions as this server allows");
    }
    Session session = new Session(requesterId, requesterKey, targetId, targetKey, targetRemote);
    tokens.put(session.a.token, session.a);
    tokens.put(session.b.token, session.b);
    opened.increment();
    if (timer instanceof io.netty.util.concurrent.EventExecutor loop) {
      session.expiry =
          loop.schedule(
              () -> session.expire(), limits.joinTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }
    return new Result(Optional.of(new Tokens(session.a.token, session.b.token)), null);
  }

  /**
   * Tokens, or a refusal.
   *
   * @param tokens the tokens, when the session was opened
   * @param refusal why not, in words, otherwise
   */
  public record Result(Optional<Tokens> tokens, String refusal) {
    static Result refused(String why) {
      return new Result(Optional.empty(), why);
    }
  }

  /**
   * Joins a relay WebSocket to its session with its token; the token is spent whether or not the
   * session is still waiting (but not by a join refused for its key). When the other side has
   * joined already, both are spliced and told {@code relay_paired}; until then the joined side is
   * not read.
   *
   * @param join the join the peer sent
   * @param channel the relay WebSocket
   * @return empty if joined, else why not
   */
  public Optional<String> join(RelayFrames.Join join, Channel channel) {
    Side side = tokens.get(join.token());
    if (side == null) {
      refused.increment();
      return Optional.of("unknown or spent relay token; ask for a new session");
    }
    Optional<String> keyProblem = keyProblem(side, join);
    if (keyProblem.isPresent()) {
      refused.increment();
      return keyProblem;
    }
    if (!tokens.remove(join.token(), side)) {
      refused.increment();
      return Optional.of("unknown or spent relay token; ask for a new session");
    }
    return side.session.join(side, channel);
  }

  /**
   * Ends a session before either side joined, e.g. when its offer could not be delivered.
   *
   * @param tokens the session's tokens
   * @param reason why, for the log
   */
  public void cancel(Tokens tokens, String reason) {
    Side side = this.tokens.get(tokens.requester());
    if (side != null) {
      side.session.end(reason);
    }
  }

  private static Optional<String> keyProblem(Side side, RelayFrames.Join join) {
    if (join.peer() == null) {
      return side.mustProve
          ? Optional.of(
              "this relayed session was offered through another server: the join must be signed"
                  + " by your key (update Parlance)")
          : Optional.empty();
    }
    if (!join.peer().equals(side.peerId)) {
      return Optional.of("this relay token was given to another peer");
    }
    if (side.key == null) {
      return side.mustProve
          ? Optional.of("no key is known for this relay token's peer")
          : Optional.empty();
    }
    try {
      byte[] sig = Base64.getDecoder().decode(join.sig());
      if (Signatures.verify(
          Signatures.decodePublicKey(side.key), RelayFrames.joinPayload(join.token()), sig)) {
        return Optional.empty();
      }
    } catch (IllegalArgumentException e) {
      // not base64, or not a key: a bad signature
    }
    return Optional.of("the relay join's signature does not match this token's peer");
  }

  private boolean takePeer(String id) {
    AtomicInteger count = perPeer.computeIfAbsent(id, k -> new AtomicInteger());
    if (count.incrementAndGet() > limits.maxSessionsPerPeer()) {
      releasePeer(id);
      return false;
    }
    return true;
  }

  private void releasePeer(String id) {
    perPeer.computeIfPresent(id, (k, c) -> c.decrementAndGet() <= 0 ? null : c);
  }

  /**
   * Returns the sessions waiting or open now.
   *
   * @return the count
   */
  public int sessions() {
    return sessions.get();
  }

  /**
   * Returns the sessions whose two sides are spliced now.
   *
   * @return the count
   */
  public int pairedSessions() {
    return paired.get();
  }

  /**
   * Returns the sessions opened since the start.
   *
   * @return the count
   */
  public long sessionsOpened() {
    return opened.sum();
  }

  /**
   * Returns the bytes relayed since the start, both ways, WebSocket payload only.
   *
   * @return the count
   */
  public long bytesRelayed() {
    return bytes.sum();
  }

  /**
   * Returns the binary frames relayed since the start.
   *
   * @return the count
   */
  public long framesRelayed() {
    return frames.sum();
  }

  /**
   * Returns the requests and joins refused since the start.
   *
   * @return the count
   */
  public long refused() {
    return refused.sum();
  }

  /**
   * Returns the sessions that expired before both sides joined.
   *
   * @return the count
   */
  public long expired() {
    return expired.sum();
  }

  void relayed(int payloadBytes) {
    bytes.add(payloadBytes);
    frames.increment();
  }

  static void closeWith(Channel ch, int code, String reason) {
    if (ch.isActive()) {
      ch.writeAndFlush(new CloseWebSocketFrame(code, reason))
          .addListener(ChannelFutureListener.CLOSE);
      ch.eventLoop().schedule(() -> ch.close(), 2, TimeUnit.SECONDS);
    }
  }

  /** One side of a session: its token, and its WebSocket once joined. */
  private static final class Side {
    final Session session;
    final String token;
    final String peerId;
    final String key;
    final boolean mustProve;
    volatile Channel channel;

    Side(Session session, String token, String peerId, String key, boolean mustProve) {
      this.session = session;
      this.token = token;
      this.peerId = peerId;
      this.key = key;
      this.mustProve = mustProve;
    }
  }

  /** Two sides; ends once, releasing its counts, when a side leaves or the join times out. */
  private final class Session {
    final Side a;
    final Side b;
    final AtomicBoolean ended = new AtomicBoolean();
    volatile ScheduledFuture<?> expiry;
    volatile boolean spliced;

    Session(
        String requesterId,
        String requesterKey,
        String targetId,
        String targetKey,
        boolean targetRemote) {
      this.a = new Side(this, RelayFrames.newToken(random), requesterId, requesterKey, false);
      this.b = new Side(this, RelayFrames.newToken(random), targetId, targetKey, targetRemote);
    }

    synchronized Optional<String> join(Side side, Channel channel) {
      if (ended.get()) {
        return Optional.of("the relayed session has ended; ask for a new one");
      }
      side.channel = channel;
      channel.config().setAutoRead(false);
      channel.closeFuture().addListener(f -> end("the other side left"));
      Side other = side == a ? b : a;
      if (other.channel == null) {
        return Optional.empty();
      }
      ScheduledFuture<?> timer = expiry;
      if (timer != null) {
        timer.cancel(false);
      }
      spliced = true;
      paired.incrementAndGet();
      RelayForwarder fa = new RelayForwarder(RelayBroker.this, limits, a.channel, b.channel);
      RelayForwarder fb = new RelayForwarder(RelayBroker.this, limits, b.channel, a.channel);
      RelayForwarder.pair(fa, fb);
      install(a.channel, fa);
      install(b.channel, fb);
      LOG.debug(
          "[id: 0x{} ⇄ 0x{}] Relaying {} ⇄ {}",
          a.channel.id().asShortText(),
          b.channel.id().asShortText(),
          a.peerId,
          b.peerId);
      return Optional.empty();
    }

    private void install(Channel ch, ChannelHandler forwarder) {
      ch.eventLoop()
          .execute(
              () -> {
                if (!ch.isActive()) {
                  return;
                }
                ch.pipeline().addLast(FORWARDER, forwarder);
                ch.writeAndFlush(new RelayFrames.Paired());
                ch.config().setAutoRead(true);
              });
    }

    void expire() {
      if (!spliced && end("the other side did not join in time")) {
        expired.increment();
      }
    }

    /** Ends the session once: spends its tokens, closes both sides, releases the counts. */
    boolean end(String reason) {
      if (!ended.compareAndSet(false, true)) {
        return false;
      }
      tokens.remove(a.token, a);
      tokens.remove(b.token, b);
      ScheduledFuture<?> timer = expiry;
      if (timer != null) {
        timer.cancel(false);
      }
      if (spliced) {
        paired.decrementAndGet();
      }
      sessions.decrementAndGet();
      releasePeer(a.peerId);
      releasePeer(b.peerId);
      for (Side s : new Side[] {a, b}) {
        Channel ch = s.channel;
        if (ch != null) {
          closeWith(ch, BootstrapProtocol.CLOSE_NORMAL, reason);
        }
      }
      return true;
    }
  }
}
