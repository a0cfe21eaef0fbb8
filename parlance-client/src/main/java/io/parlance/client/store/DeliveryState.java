package io.parlance.client.store;

import java.util.Locale;

/**
 * Where a message stands: queued, sent, deposited and delivered for ours; received for the peer's.
 */
public enum DeliveryState {
  /** Stored in the outbox, not yet written to the peer. */
  QUEUED,
  /** Written to the peer; a plain Parlance peer cannot acknowledge, so this is final there. */
  SENT,
  /**
   * Sealed and kept in the bootstrap server's mailbox for a peer that is away; it stays in the
   * outbox for direct delivery too, until the peer's receipt or acknowledgement.
   */
  DEPOSITED,
  /** Acknowledged by the peer, which has stored it. */
  DELIVERED,
  /** A message we received. */
  RECEIVED;

  String column() {
    return name().toLowerCase(Locale.ROOT);
  }

  static DeliveryState fromColumn(String value) {
    return valueOf(value.toUpperCase(Locale.ROOT));
  }
}
