package io.parlance.client.delivery;

import io.parlance.client.peer.Peer;
import io.parlance.client.store.DeliveryState;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * What became of a message we sent, once its first attempt settled: written to the peer ({@link
 * DeliveryState#SENT}), or kept in the outbox for later ({@link DeliveryState#QUEUED}), with why.
 *
 * @param id the message id
 * @param key the conversation's key: the peer's id, or its nickname for a plain peer
 * @param to the recipient's nickname
 * @param peer the peer it was written to, or null if it is queued
 * @param content the text
 * @param state {@link DeliveryState#SENT} or {@link DeliveryState#QUEUED}
 * @param note why it is queued, in words, or null when sent
 */
public record Outgoing(
    String id,
    String key,
    String to,
    @Nullable Peer peer,
    String content,
    DeliveryState state,
    @Nullable String note) {

  /** Checks the required parts. */
  public Outgoing {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(content, "content");
    Objects.requireNonNull(state, "state");
  }
}
