package io.parlance.client.node;

import io.netty.channel.EventLoopGroup;
import io.parlance.client.messaging.ConnectionPool;
import io.parlance.client.messaging.DeliveryException;
import io.parlance.client.messaging.MessageServer;
import io.parlance.client.messaging.PeerLink;
import io.parlance.client.peer.Peer;
import io.parlance.client.security.PeerId;
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

  private final ConnectionPool pool;
  private final MessageServer server;
  private final InternetDiscovery internet;
  private final EventLoopGroup group;
  private final Duration retryDirect;
  private final Map<PeerId, String> paths = new ConcurrentHashMap<>();
  private final Set<PeerId> directWorked = ConcurrentHashMap.newKeySet();

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
          pool.connection(peer.address(), id)
              .whenComplete(
                  (direct, error) -> {
                    if (error == null) {
                      LOG.info(
                          "{} is reachable directly again; leaving the relay",
                          peer.qualifiedName());
                      directWorked.add(id);
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
   * @return {@code direct} or {@code relayed via <server>}, empty if no link is known
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
