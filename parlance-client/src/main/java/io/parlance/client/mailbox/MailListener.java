package io.parlance.client.mailbox;

import io.parlance.client.security.PeerId;
import io.parlance.client.store.DeliveryState;
import io.parlance.client.store.StoredMessage;

/** What the {@link MailCourier} reports; called on its thread, one call at a time. */
public interface MailListener {

  /**
   * A message fetched from the mailbox was stored (a copy already stored is not reported).
   *
   * @param from the sender's nickname, as it signed it
   * @param senderId the sender's id, proven by its signature
   * @param text the message
   * @param timestamp the sender's clock, Unix seconds
   */
  void received(String from, PeerId senderId, String text, long timestamp);

  /**
   * One of our messages is deposited, or was delivered through the mailbox.
   *
   * @param message the message as stored
   * @param state {@link DeliveryState#DEPOSITED} or {@link DeliveryState#DELIVERED}
   */
  void changed(StoredMessage message, DeliveryState state);

  /**
   * One of our deposited messages expired unfetched; it stays in the outbox for direct delivery.
   *
   * @param message the message
   */
  void expired(StoredMessage message);

  /**
   * Something the user should know: a deposit was refused, a fetched message did not verify.
   *
   * @param message what, in words
   */
  void problem(String message);
}
