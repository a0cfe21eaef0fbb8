package io.parlance.bootstrap.relay;

import io.parlance.protocol.bootstrap.HostPort;
import io.parlance.protocol.bootstrap.PunchFrames;
import io.parlance.protocol.bootstrap.RelayFrames;
import io.parlance.protocol.bootstrap.ServerFrame;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Coordinates hole punches between two registered peers: hands out a single-use token to each side,
 * records the external mapping each side's token was fetched from (the source address of that HTTP
 * request, as this server sees it, so a peer cannot name an address of its choosing), and once both
 * sides have one sends each a {@code punch_go} with the other's mapping. A side that never fetches
 * its mapping (it did not agree) gets nothing, nor does the other side; the tokens expire. Bounded:
 * sessions in all, sessions per peer, and one punch per ordered pair of peers per {@link
 * #PAIR_INTERVAL_MILLIS}.
 */
public final class PunchCoordinator {

  /** How long the tokens of a punch are valid. */
  public static final long TOKEN_TTL_MILLIS = 10_000;

  /** The least time between two punches one peer asks for with the same other peer. */
  public static final long PAIR_INTERVAL_MILLIS = 10_000;

  /** The most punches being coordinated at once, in all. */
  public static final int MAX_SESSIONS = 1_000;

  /** The most punches being coordinated at once that one peer takes part in. */
  public static final int MAX_PER_PEER = 4;

  private final boolean enabled;
  private final SecureRandom random;
  private final LongSupplier clock;
  private final ConcurrentHashMap<String, Side> tokens = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Long> lastPair = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, AtomicInteger> perPeer = new ConcurrentHashMap<>();
  private final AtomicInteger sessions = new AtomicInteger();
  private final LongAdder coordinated = new LongAdder();
  private final LongAdder refused = new LongAdder();

  /**
   * Creates the coordinator.
   *
   * @param enabled false on a server that relays nothing (then every request is refused)
   * @param random makes the tokens
   * @param clock milliseconds, for the expiry and the rate limit
   */
  public PunchCoordinator(boolean enabled, SecureRandom random, LongSupplier clock) {
    this.enabled = enabled;
    this.random = Objects.requireNonNull(random, "random");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * The outcome of {@link #open}: the two tokens, or why not.
   *
   * @param requesterToken the token for the peer that asked, or null
   * @param targetToken the token for the peer asked for, or null
   * @param refusal why not, in words, or null
   */
  public record Opened(String requesterToken, String targetToken, String refusal) {

    /**
     * Tells whether the punch was refused.
     *
     * @return true if it was
     */
    public boolean isRefused() {
      return refusal != null;
    }
  }

  /**
   * Opens a punch between two peers with proven keys, if the limits allow.
   *
   * @param requesterId the asking peer's proven id
   * @param toRequester where frames for the asking peer go (its registry connection)
   * @param targetId the target's proven id
   * @param toTarget where frames for the target go
   * @return the tokens, or a refusal
   */
  public Opened open(
      String requesterId,
      Consumer<ServerFrame> toRequester,
      String targetId,
      Consumer<ServerFrame> toTarget) {
    Objects.requireNonNull(toRequester, "toRequester");
    Objects.requireNonNull(toTarget, "toTarget");
    long now = clock.getAsLong();
    sweep(now);
    if (!enabled) {
      return refuse("this server does not coordinate hole punches");
    }
    if (requesterId.equals(targetId)) {
      return refuse("a peer cannot punch a hole to itself");
    }
    String pair = requesterId + ">" + targetId;
    Long last = lastPair.get(pair);
    if (last != null && now - last < PAIR_INTERVAL_MILLIS) {
      return refuse(
          "a hole punch to that peer was tried less than "
              + PAIR_INTERVAL_MILLIS / 1000
              + " s ago; try again later");
    }
    if (sessions.incrementAndGet() > MAX_SESSIONS) {
      sessions.decrementAndGet();
      return refuse("too many hole punches at once on this server; try again later");
    }
    if (!take(requesterId)) {
      sessions.decrementAndGet();
      return refuse("you have " + MAX_PER_PEER + " hole punches under way already");
    }
    if (!take(targetId)) {
      release(requesterId);
      sessions.decrementAndGet();
      return refuse("that peer has as many hole punches under way as this server allows");
    }
    lastPair.put(pair, now);
    Session s = new Session(requesterId, toRequester, targetId, toTarget, now);
    tokens.put(s.requester.token, s.requester);
    tokens.put(s.target.token, s.target);
    coordinated.increment();
    return new Opened(s.requester.token, s.target.token, null);
  }

  /**
   * Records the mapping a side fetched its token from. The token is spent by this; once both sides
   * of the punch have a mapping, each is sent {@code punch_go} with the other's.
   *
   * @param token the token of the request, as sent (validated here)
   * @param source the source address of the request, as this server sees it
   * @return the mapping to tell the side, or empty if the token is not (or no longer) valid
   */
  public Optional<InetSocketAddress> observe(String token, InetSocketAddress source) {
    Objects.requireNonNull(source, "source");
    if (!validToken(token) || source.getAddress() == null) {
      return Optional.empty();
    }
    long now = clock.getAsLong();
    sweep(now);
    Side side = tokens.remove(token);
    if (side == null) {
      return Optional.empty();
    }
    Session s = side.session;
    boolean both;
    synchronized (s) {
      side.mapping = source;
      both = s.requester.mapping != null && s.target.mapping != null;
    }
    if (both) {
      s.go();
    }
    return Optional.of(source);
  }

  private static boolean validToken(String token) {
    if (token == null || token.length() != RelayFrames.TOKEN_CHARS) {
      return false;
    }
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (!((c >= 'A' && c <= 'Z')
          || (c >= 'a' && c <= 'z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '_')) {
        return false;
      }
    }
    return true;
  }

  /**
   * Returns how many punches are being coordinated now.
   *
   * @return the count
   */
  public int sessions() {
    sweep(clock.getAsLong());
    return sessions.get();
  }

  /**
   * Returns how many punches were coordinated (tokens handed out) since the start.
   *
   * @return the count
   */
  public long coordinated() {
    return coordinated.sum();
  }

  /**
   * Returns how many punch requests were refused since the start.
   *
   * @return the count
   */
  public long refused() {
    return refused.sum();
  }

  private Opened refuse(String why) {
    refused.increment();
    return new Opened(null, null, why);
  }

  private boolean take(String id) {
    AtomicInteger n = perPeer.computeIfAbsent(id, k -> new AtomicInteger());
    if (n.incrementAndGet() > MAX_PER_PEER) {
      n.decrementAndGet();
      return false;
    }
    return true;
  }

  private void release(String id) {
    perPeer.computeIfPresent(id, (k, n) -> n.decrementAndGet() <= 0 ? null : n);
  }

  /** Ends sessions past their tokens' life and forgets old rate-limit entries. */
  private void sweep(long now) {
    for (Map.Entry<String, Side> e : tokens.entrySet()) {
      Session s = e.getValue().session;
      if (now - s.opened >= TOKEN_TTL_MILLIS) {
        tokens.remove(e.getKey(), e.getValue());
        s.end();
      }
    }
    lastPair.values().removeIf(t -> now - t >= PAIR_INTERVAL_MILLIS);
  }

  /** One side of a punch: its token, where its frames go, and the mapping it fetched. */
  private static final class Side {
    final Session session;
    final String id;
    final String token;
    final Consumer<ServerFrame> out;
    InetSocketAddress mapping;

    Side(Session session, String id, String token, Consumer<ServerFrame> out) {
      this.session = session;
      this.id = id;
      this.token = token;
      this.out = out;
    }
  }

  private final class Session {
    final Side requester;
    final Side target;
    final long opened;
    private boolean ended;

    Session(
        String requesterId,
        Consumer<ServerFrame> toRequester,
        String targetId,
        Consumer<ServerFrame> toTarget,
        long opened) {
      String a = RelayFrames.newToken(random);
      String b;
      do {
        b = RelayFrames.newToken(random);
      } while (b.equals(a));
      this.requester = new Side(this, requesterId, a, toRequester);
      this.target = new Side(this, targetId, b, toTarget);
      this.opened = opened;
    }

    void go() {
      if (!end()) {
        return;
      }
      requester.out.accept(
          new PunchFrames.Go(
              requester.token,
              target.id,
              HostPort.format(target.mapping),
              PunchFrames.ROLE_CLIENT));
      target.out.accept(
          new PunchFrames.Go(
              target.token,
              requester.id,
              HostPort.format(requester.mapping),
              PunchFrames.ROLE_SERVER));
    }

    /** Frees the session's slots once; returns false if it was freed already. */
    synchronized boolean end() {
      if (ended) {
        return false;
      }
      ended = true;
      tokens.remove(requester.token, requester);
      tokens.remove(target.token, target);
      release(requester.id);
      release(target.id);
      sessions.decrementAndGet();
      return true;
    }
  }
}
