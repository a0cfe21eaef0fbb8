package io.parlance.client.delivery;

import io.parlance.client.peer.Peer;
import io.parlance.client.store.StoredMessage;

/**
 * What the {@link Outbox} reports: each message's state changes, in order per peer. Called on event
 * loops and the store thread: must not block.
 */
public interface DeliveryListener {

  /**
   * A message is stored in the outbox.
   *
   * @param message the message, {@link io.parlance.client.store.DeliveryState#QUEUED}
   */
  void queued(StoredMessage message);

  /**
   * A message was written to its peer for the first time since it was queued.
   *
   * @param message the message
   * @param peer the peer it was written to
   */
  void sent(StoredMessage message, Peer peer);

  /**
   * The peer acknowledged a message, and the store recorded it: it left the outbox.
   *
   * @param message the message
   */
  void delivered(StoredMessage message);

  /**
   * Something went wrong in the background (the store failed); messages stay in the outbox.
   *
   * @param message what, in words
   */
  void problem(String message);
}
