package io.parlance.client.node;

import io.parlance.client.delivery.DeliveryListener;
import io.parlance.client.delivery.Outbox;
import io.parlance.client.mailbox.MailCourier;
import io.parlance.client.mailbox.MailListener;
import io.parlance.client.peer.Peer;
import io.parlance.client.peer.PeerDirectory;
import io.parlance.client.security.PeerId;
import io.parlance.client.store.DeliveryState;
import io.parlance.client.store.StoredMessage;
import java.util.Objects;

/**
 * The mailbox's side of the node's events: turns the courier's reports into node events, and,
 * passing the outbox's reports on, nudges the courier when a message is queued for a peer that is
 * not online (so it is deposited at once rather than at the next round).
 */
final class MailboxEvents implements MailListener, DeliveryListener {

  /** The address shown for a message that came through the mailbox. */
  static final String MAILBOX_ADDRESS = "mailbox";

  private final EventDispatcher events;
  private final DeliveryEvents delivery;
  private final PeerDirectory directory;
  private final String server;
  private volatile MailCourier courier;

  MailboxEvents(
      EventDispatcher events, DeliveryEvents delivery, PeerDirectory directory, String server) {
    this.events = Objects.requireNonNull(events, "events");
    this.delivery = Objects.requireNonNull(delivery, "delivery");
    this.directory = Objects.requireNonNull(directory, "directory");
    this.server = Objects.requireNonNull(server, "server");
  }

  void courier(MailCourier courier) {
    this.courier = courier;
  }

  /** Whether a conversation key's peer is listed now. */
  boolean online(String key) {
    for (Peer p : directory.peers()) {
      if (Outbox.keyOf(p).equals(key)) {
        return true;
      }
    }
    return false;
  }

  // ---- the courier's reports ----

  @Override
  public void received(String from, PeerId senderId, String text, long timestamp) {
    events.publish(new NodeEvent.MessageReceived(from, text, timestamp, MAILBOX_ADDRESS, senderId));
  }

  @Override
  public void changed(StoredMessage m, DeliveryState state) {
    if (io.parlance.client.room.RoomEnvelope.isRoomLine(m.content())) {
      return; // a room line, as on the direct path: Rooms#waiting tells what has not arrived
    }
    events.publish(new NodeEvent.Delivery(m.id(), m.nickname(), m.peer(), state, m.content()));
  }

  @Override
  public void expired(StoredMessage m) {
    events.publish(
        new NodeEvent.ServerStatus(
            "mail_expired",
            (io.parlance.client.room.RoomEnvelope.isRoomLine(m.content())
                    ? "a room message to "
                    : "a message to ")
                + m.nickname()
                + " waited in the mailbox of "
                + server
                + " until it expired unfetched; it stays in your outbox and goes to "
                + m.nickname()
                + " directly when you are both online"));
  }

  @Override
  public void problem(String message) {
    delivery.problem(message);
  }

  // ---- the outbox's reports, passed on ----

  @Override
  public void queued(StoredMessage message) {
    delivery.queued(message);
    MailCourier c = courier;
    if (c != null && !online(message.peer())) {
      c.nudge();
    }
  }

  @Override
  public void sent(StoredMessage message, Peer peer) {
    delivery.sent(message, peer);
  }

  @Override
  public void delivered(StoredMessage message) {
    delivery.delivered(message);
  }
}
