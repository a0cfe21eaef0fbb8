package io.parlance.client.store;

import java.util.Objects;

/**
 * One message as the store keeps it.
 *
 * @param seq the local order in which messages were submitted or arrived
 * @param id the message id, unique per peer and direction
 * @param direction sent or received
 * @param peer the key of the conversation's peer
 * @param nickname the peer's nickname when the message passed
 * @param content the text
 * @param timestamp the sender's clock, Unix seconds
 * @param state the delivery state
 * @param attempts how often we tried to send it (outgoing only)
 */
public record StoredMessage(
    long seq,
    String id,
    Direction direction,
    String peer,
    String nickname,
    String content,
    long timestamp,
    DeliveryState state,
    int attempts) {

  /** Checks that no text field is null. */
  public StoredMessage {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(direction, "direction");
    Objects.requireNonNull(peer, "peer");
    Objects.requireNonNull(nickname, "nickname");
    Objects.requireNonNull(content, "content");
    Objects.requireNonNull(state, "state");
  }
}
