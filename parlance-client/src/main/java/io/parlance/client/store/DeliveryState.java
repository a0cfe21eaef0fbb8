package io.parlance.client.store;

import java.util.Locale;

/** Where a message stands: queued, sent and delivered for ours; received for the peer's. */
public enum DeliveryState {
  /** Stored in the outbox, not yet written to the peer. */
  QUEUED,
  /** Written to the peer; a plain Parlance peer cannot acknowledge, so this is final there. */
  SENT,
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
