package io.parlance.client.node;

import io.parlance.client.messaging.DeliveryException;
import io.parlance.client.peer.Peer;
import io.parlance.protocol.LogLimiter;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the user of a man in the middle: a connection that proved another key than the peer
 * announced becomes a {@link NodeEvent.IdentityMismatch} (and a warning in the log), once per peer
 * and address until a connection to it succeeds again or {@link #REPEAT} passes, so the outbox's
 * retries do not repeat it every few seconds. Called on event loops: only memory work.
 */
final class MismatchAlerts {

  /** How long a mismatch stays told before a new one is told again. */
  static final Duration REPEAT = Duration.ofMinutes(10);

  /** Bound on the peers remembered, so a flood of forged peers cannot grow the map. */
  private static final int MAX_REMEMBERED = 4096;

  private static final Logger LOG = LoggerFactory.getLogger(MismatchAlerts.class);
  private static final LogLimiter WARNINGS = new LogLimiter();

  private final EventDispatcher events;
  private final LongSupplier nanoClock;
  private final Map<String, Long> toldAt = new ConcurrentHashMap<>();

  MismatchAlerts(EventDispatcher events, LongSupplier nanoClock) {
    this.events = Objects.requireNonNull(events, "events");
    this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
  }

  /**
   * Notes how a connection attempt to a peer ended.
   *
   * @param peer the peer
   * @param error why it failed, or null if it succeeded
   */
  void connected(Peer peer, Throwable error) {
    String key = peer.addressText() + " " + peer.id();
    Throwable cause =
        error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (cause == null) {
      toldAt.remove(key);
      return;
    }
    if (!(cause instanceof DeliveryException d)
        || d.reason() != DeliveryException.Reason.IDENTITY_MISMATCH) {
      return;
    }
    long now = nanoClock.getAsLong();
    Long before = toldAt.get(key);
    if (before != null && now - before < REPEAT.toNanos()) {
      return;
    }
    if (toldAt.size() >= MAX_REMEMBERED) {
      toldAt.clear(); // at worst a mismatch is told again
    }
    toldAt.put(key, now);
    String message =
        "connecting to "
            + peer.qualifiedName()
            + ": "
            + d.getMessage()
            + ". Nothing was sent to it; messages for "
            + peer.nickname()
            + " stay queued until a connection proves its key. Compare ids out of band (/verify "
            + peer.nickname()
            + ")";
    WARNINGS.log(more -> LOG.warn("Identity mismatch: {}{}", message, more));
    events.publish(new NodeEvent.IdentityMismatch(peer, message));
  }
}
