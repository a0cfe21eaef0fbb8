package io.parlance.client.node;

import io.parlance.client.delivery.DeliveryListener;
import io.parlance.client.peer.Peer;
import io.parlance.client.peer.PeerDirectory;
import io.parlance.client.store.DeliveryState;
import io.parlance.client.store.StoredMessage;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Event translation for the delivery: turns the outbox's reports into node events, and background
 * problems into a log line and, at most once per 10 s, an {@link NodeEvent.Error}.
 */
final class DeliveryEvents implements DeliveryListener {

  private static final Logger LOG = LoggerFactory.getLogger(DeliveryEvents.class);
  private static final long PROBLEM_GAP_NANOS = TimeUnit.SECONDS.toNanos(10);

  private final EventDispatcher events;
  private final PeerDirectory directory;
  private final AtomicLong lastProblemNanos = new AtomicLong(System.nanoTime() - PROBLEM_GAP_NANOS);

  DeliveryEvents(EventDispatcher events, PeerDirectory directory) {
    this.events = Objects.requireNonNull(events, "events");
    this.directory = Objects.requireNonNull(directory, "directory");
  }

  @Override
  public void queued(StoredMessage m) {
    if (io.parlance.client.room.RoomEnvelope.isRoomLine(m.content())) {
      return; // a room line: the rooms tell of it
    }
    events.publish(
        new NodeEvent.Delivery(m.id(), m.nickname(), m.peer(), DeliveryState.QUEUED, m.content()));
  }

  @Override
  public void sent(StoredMessage m, Peer peer) {
    if (io.parlance.client.room.RoomEnvelope.isRoomLine(m.content())) {
      return; // a room line: the rooms tell of it
    }
    directory.talkedTo(peer.address()); // a peer we talk to keeps its place in a full directory
    events.publish(new NodeEvent.MessageSent(peer, m.content(), m.id()));
    events.publish(
        new NodeEvent.Delivery(m.id(), peer.nickname(), m.peer(), DeliveryState.SENT, m.content()));
  }

  @Override
  public void delivered(StoredMessage m) {
    if (io.parlance.client.room.RoomEnvelope.isRoomLine(m.content())) {
      return; // a room line: the rooms tell of it
    }
    events.publish(
        new NodeEvent.Delivery(
            m.id(), m.nickname(), m.peer(), DeliveryState.DELIVERED, m.content()));
  }

  /** Logs a background problem, and tells listeners of it at most once per 10 s. */
  @Override
  public void problem(String message) {
    LOG.warn("{}", message);
    long now = System.nanoTime();
    long last = lastProblemNanos.get();
    if (now - last >= PROBLEM_GAP_NANOS && lastProblemNanos.compareAndSet(last, now)) {
      events.publish(new NodeEvent.Error(message));
    }
  }
}
