package io.parlance.client.node;

import io.netty.channel.EventLoopGroup;
import io.parlance.client.internet.LoopTimeout;
import io.parlance.client.messaging.ConnectionPool;
import io.parlance.client.messaging.DeliveryException;
import io.parlance.client.messaging.HolePunch;
import io.parlance.client.messaging.MessageServer;
import io.parlance.client.messaging.PeerLink;
import io.parlance.client.peer.Peer;
import io.parlance.client.security.PeerId;
import io.parlance.protocol.bootstrap.HostPort;
import io.parlance.protocol.bootstrap.PunchFrames;
import io.parlance.protocol.bootstrap.RelayFrames;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses how to reach an internet peer: directly when that works, else through the bootstrap
 * server's relay. A peer the server could not reach ({@code reachable:false}) goes straight to the
 * relay; any other peer is tried directly first, and relayed if the direct connect fails or times
 * out. A relayed conversation tries the direct path again every so often and, once it works, closes
 * the relayed link: the sender then sends again on the direct one what was not acknowledged, and
 * the receiver's dedup by message id drops what arrived twice, so nothing is lost or duplicated
 * when the path changes.
 *
 * <p>Only TLS peers that registered the {@value RelayFrames#CAP} capability are relayed; a plain
 * peer never is, and an identity mismatch on the direct path is reported, never routed around. Also
 * accepts the relay offers of peers that cannot reach us.
 */
final class RelayPaths {

  private static final Logger LOG = LoggerFactory.getLogger(RelayPaths.class);

  /** How long connecting to the relay and pairing may take. */
  static final Duration RELAY_TIMEOUT = Duration.ofSeconds(10);

  /** What {@code /peers} says of a peer reached over a hole-punched connection. */
  static final String HOLE_PUNCHED = "hole-punched";

  /** How long fetching our mapping, and then waiting for the other side's go, may take. */
  static final Duration PUNCH_SETUP = Duration.ofSeconds(8);

  /** How long the simultaneous open keeps trying once the go came. */
  static final Duration PUNCH_TIME = Duration.ofSeconds(6);

  /** The least time between two hole punches we ask for to one peer. */
  static final Duration PUNCH_INTERVAL = Duration.ofSeconds(30);

  /** The most hole punches under way at once (asked for and offered). */
  static final int MAX_PUNCHES = 8;

  private final ConnectionPool pool;
  private final MessageServer server;
  private final InternetDiscovery internet;
  private final EventLoopGroup group;
  private final Duration retryDirect;
  private final Map<PeerId, String> paths = new ConcurrentHashMap<>();
  private final Set<PeerId> directWorked = ConcurrentHashMap.newKeySet();
  private final Map<PeerId, PeerLink> punched = new ConcurrentHashMap<>();
  private final Map<PeerId, Long> lastPunch = new ConcurrentHashMap<>();
  private final Map<String, CompletableFuture<PunchFrames.Go>> goes = new ConcurrentHashMap<>();

  RelayPaths(
      ConnectionPool pool,
      MessageServer server,
      InternetDiscovery internet,
      EventLoopGroup group,
      Duration retryDirect) {
    this.pool = Objects.requireNonNull(pool, "pool");
    this.server = Objects.requireNonNull(server, "server");
    this.internet = Objects.requireNonNull(internet, "internet");
    this.group = Objects.requireNonNull(group, "group");
    this.retryDirect = Objects.requireNonNull(retryDirect, "retryDirect");
  }

  /**
   * Returns a link to a peer: direct, or relayed as the class says.
   *
   * @param peer the peer
   * @param security the id its TLS must prove, null for a plain peer
   * @return completes with the link
   */
  CompletableFuture<PeerLink> connection(Peer peer, PeerId security) {
    if (security == null || !relayable(peer)) {
      return direct(peer, security);
    }
    PeerLink holed = punched.get(security);
    if (holed != null && holed.isOpen()) {
      return CompletableFuture.completedFuture(holed);
    }
    if (Boolean.FALSE.equals(internet.reachable(security)) && !directWorked.contains(security)) {
      return relayed(peer, security, null);
    }
    return direct(peer, security)
        .handle(
            (link, error) -> {
              if (error == null) {
                return CompletableFuture.completedFuture(link);
              }
              Throwable cause = unwrap(error);
              if (worthRelaying(cause)) {
                return relayed(peer, security, cause);
              }
              return CompletableFuture.<PeerLink>failedFuture(cause);
            })
        .thenCompose(f -> f);
  }

  private boolean relayable(Peer peer) {
    return internet.relay() && Peer.INTERNET.equals(peer.source()) && peer.has(RelayFrames.CAP);
  }

  private CompletableFuture<PeerLink> direct(Peer peer, PeerId security) {
    return pool.connection(peer.address(), security)
        .whenComplete(
            (link, error) -> {
              if (error == null && security != null) {
                paths.put(security, "direct");
                directWorked.add(security);
              }
            });
  }

  /** Connect failures the relay may get around; never an identity mismatch or a shutdown. */
  static boolean worthRelaying(Throwable cause) {
    if (!(cause instanceof DeliveryException d)) {
      return false;
    }
    return switch (d.reason()) {
      case REFUSED, TIMED_OUT, UNREACHABLE, CONNECTION_LOST -> true;
      default -> false;
    };
  }

  private CompletableFuture<PeerLink> relayed(Peer peer, PeerId id, Throwable directError) {
    CompletableFuture<PeerLink> link =
        internet
            .requestRelay(peer.nickname(), id)
            .thenCompose(
                ready -> {
                  try {
                    return pool.relayed(
                        internet.relayUri(),
                        internet.relayTls(),
                        internet.signedJoin(ready.token()),
                        peer.address(),
                        id);
                  } catch (javax.net.ssl.SSLException e) {
                    return CompletableFuture.failedFuture(e);
                  }
                });
    return link.handle(
            (l, error) -> {
              if (error == null) {
                paths.put(id, "relayed via " + internet.serverName());
                LOG.info("Relaying to {} through {}", peer.qualifiedName(), internet.serverName());
                l.closed().thenRun(() -> paths.remove(id, "relayed via " + internet.serverName()));
                scheduleDirectRetry(peer, id, l);
                punch(peer, id, l);
                return CompletableFuture.completedFuture(l);
              }
              Throwable cause = unwrap(error);
              if (cause instanceof DeliveryException d
                  && d.reason() == DeliveryException.Reason.IDENTITY_MISMATCH) {
                return CompletableFuture.<PeerLink>failedFuture(d);
              }
              String relayWhy = cause.getMessage() == null ? cause.toString() : cause.getMessage();
              String message =
                  (directError == null
                          ? "the server could not connect to " + peer.qualifiedName() + " directly"
                          : directError.getMessage())
                      + "; and the relay through "
                      + internet.serverName()
                      + " did not work either ("
                      + relayWhy
                      + ")";
              return CompletableFuture.<PeerLink>failedFuture(
                  new DeliveryException(
                      directError instanceof DeliveryException d
                          ? d.reason()
                          : DeliveryException.Reason.UNREACHABLE,
                      peer.address(),
                      message,
                      cause));
            })
        .thenCompose(f -> f);
  }

  /**
   * While the relayed link is open, tries the direct path now and then; moves over once it works.
   */
  private void scheduleDirectRetry(Peer peer, PeerId id, PeerLink relayedLink) {
    group.schedule(
        () -> {
          if (!relayedLink.isOpen()) {
            return;
          }
          // through direct(), which records the path: with nothing left to send, no new link
          // would be asked for, and the conversation would still be called relayed
          direct(peer, id)
              .whenComplete(
                  (direct, error) -> {
                    if (error == null) {
                      LOG.info(
                          "{} is reachable directly again; leaving the relay",
                          peer.qualifiedName());
                      relayedLink.close();
                    } else {
                      scheduleDirectRetry(peer, id, relayedLink);
                    }
                  });
        },
        retryDirect.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  /**
   * While a relayed link is open, asks the server to coordinate a hole punch to the peer (at most
   * once per {@link #PUNCH_INTERVAL} for a peer, {@link #MAX_PUNCHES} at once): fetches our
   * mapping, waits for the go, connects from that port to the peer's mapping as the TLS client, and
   * once the handshake proved the peer's id keeps that link and closes the relayed one, so the
   * sender sends again on the punched link what was not acknowledged and the receiver's dedup by
   * message id drops what arrived twice. On any failure the relayed link stays.
   */
  private void punch(Peer peer, PeerId id, PeerLink relayedLink) {
    if (!internet.punch() || !peer.has(PunchFrames.CAP) || goes.size() >= MAX_PUNCHES) {
      return;
    }
    long now = System.nanoTime();
    Long last = lastPunch.get(id);
    if (last != null && now - last < PUNCH_INTERVAL.toNanos()) {
      return;
    }
    lastPunch.put(id, now);
    long started = System.nanoTime();
    internet
        .requestPunch(peer.nickname(), id)
        .thenCompose(
            ready ->
                punchSide(
                    ready.token(),
                    true,
                    (mapping, go) ->
                        pool.punched(
                            mapping.localPort(),
                            HostPort.parse("address", go.address()),
                            PUNCH_TIME,
                            peer.address(),
                            id)))
        .whenComplete(
            (link, error) -> {
              if (error != null) {
                LOG.info(
                    "No hole punched to {} ({}); staying on the relay",
                    peer.qualifiedName(),
                    unwrap(error).getMessage());
                return;
              }
              if (!relayedLink.isOpen()) {
                // The conversation moved on (direct, or ended) meanwhile; keep the punched link
                // for the next messages all the same.
                LOG.debug("Relayed link to {} closed while punching", peer.qualifiedName());
              }
              punched.put(id, link);
              paths.put(id, HOLE_PUNCHED);
              link.closed()
                  .thenRun(
                      () -> {
                        punched.remove(id, link);
                        paths.remove(id, HOLE_PUNCHED);
                      });
              LOG.info(
                  "Punched a hole to {} in {} ms; leaving the relay",
                  peer.qualifiedName(),
                  TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
              relayedLink.close();
            });
  }

  /** What a side does once it has its mapping and the go. */
  @FunctionalInterface
  private interface Punch<T> {
    CompletableFuture<T> run(HolePunch.Mapping mapping, PunchFrames.Go go);
  }

  /**
   * One side of a punch with our token: fetches our mapping, waits for the go (which must give us
   * the role we expect), then runs the connect. Bounded by {@link #PUNCH_SETUP} until the go.
   */
  private <T> CompletableFuture<T> punchSide(String token, boolean client, Punch<T> then) {
    CompletableFuture<PunchFrames.Go> go = new CompletableFuture<>();
    if (goes.size() >= MAX_PUNCHES || goes.putIfAbsent(token, go) != null) {
      return CompletableFuture.failedFuture(
          new IllegalStateException("too many hole punches under way"));
    }
    LoopTimeout.within(group.next(), go, PUNCH_SETUP.toMillis())
        .whenComplete((g, e) -> goes.remove(token, go));
    return HolePunch.fetchMapping(internet.punchServer(), token, PUNCH_SETUP)
        .thenCompose(
            mapping ->
                go.thenCompose(
                    g -> {
                      if (g.client() != client) {
                        return CompletableFuture.<T>failedFuture(
                            new IllegalStateException("the server gave us the wrong TLS role"));
                      }
                      return then.run(mapping, g);
                    }))
        .whenComplete(
            (r, e) -> {
              if (e != null) {
                go.cancel(false);
              }
            });
  }

  /**
   * Takes part in a hole punch a peer asked for: fetching our mapping is our agreement; after the
   * go, connects to the peer's mapping and runs the incoming pipeline (TLS server, TLS required).
   *
   * @param offer the server's offer
   */
  void punchOffered(PunchFrames.Offer offer) {
    punchSide(
            offer.token(),
            false,
            (mapping, go) ->
                server.acceptPunched(
                    mapping.localPort(), HostPort.parse("address", go.address()), PUNCH_TIME))
        .whenComplete(
            (ok, error) -> {
              if (error != null) {
                LOG.info(
                    "The hole punch {} asked for did not work: {}",
                    offer.nickname(),
                    unwrap(error).getMessage());
              } else {
                LOG.info("Punched a hole for {}, who asked for it", offer.nickname());
              }
            });
  }

  /**
   * The server's go for one of our punches; a go for no punch of ours is dropped.
   *
   * @param go the frame
   */
  void punchGo(PunchFrames.Go go) {
    CompletableFuture<PunchFrames.Go> waiting = goes.get(go.token());
    if (waiting == null) {
      LOG.debug("A punch_go for no hole punch of ours; dropped");
      return;
    }
    waiting.complete(go);
  }

  /**
   * Joins a relayed session a peer asked for.
   *
   * @param offer the server's offer
   */
  void offered(RelayFrames.Offer offer) {
    // An offer from a peer on another server of the cluster names that server's relay.
    URI relay = offer.relay() == null ? internet.relayUri() : URI.create(offer.relay());
    try {
      server
          .acceptRelayed(
              relay, internet.relayTls(relay), internet.signedJoin(offer.token()), RELAY_TIMEOUT)
          .whenComplete(
              (ok, error) -> {
                if (error != null) {
                  LOG.info(
                      "Could not join the relayed session {} asked for: {}",
                      offer.nickname(),
                      unwrap(error).getMessage());
                } else {
                  LOG.info("Joined the relayed session {} asked for", offer.nickname());
                }
              });
    } catch (javax.net.ssl.SSLException e) {
      LOG.warn("Cannot set up TLS to the relay: {}", e.getMessage());
    }
  }

  /**
   * Says how a peer is reached now.
   *
   * @param id the peer's id
   * @return {@code direct}, {@code relayed via <server>} or {@value #HOLE_PUNCHED}, empty if no
   *     link is known
   */
  Optional<String> path(PeerId id) {
    return id == null ? Optional.empty() : Optional.ofNullable(paths.get(id));
  }

  private static Throwable unwrap(Throwable error) {
    Throwable t = error;
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
