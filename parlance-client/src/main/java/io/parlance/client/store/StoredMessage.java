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
 * @param verified for a received message: true if the sender proved, over TLS, the key of the
 *     conversation it is filed under; false if it came from a plain (spoofable) sender or was
 *     stored before this was recorded. Null for a sent message
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
    int attempts,
    Boolean verified) {

  /** Checks that no text field is null. */
  public StoredMessage {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(direction, "direction");
    Objects.requireNonNull(peer, "peer");
    Objects.requireNonNull(nickname, "nickname");
    Objects.requireNonNull(content, "content");
    Objects.requireNonNull(state, "state");
  }

  /**
   * Creates a stored message whose verification is not told (a sent one, or a test's).
   *
   * @param seq the local order
   * @param id the message id
   * @param direction sent or received
   * @param peer the conversation's key
   * @param nickname the peer's nickname
   * @param content the text
   * @param timestamp the sender's clock, Unix seconds
   * @param state the delivery state
   * @param attempts how often we tried to send it
   */
  public StoredMessage(
      long seq,
      String id,
      Direction direction,
      String peer,
      String nickname,
      String content,
      long timestamp,
      DeliveryState state,
      int attempts) {
    this(seq, id, direction, peer, nickname, content, timestamp, state, attempts, null);
  }

  /**
   * Tells whether a received message came from a sender that did not prove the conversation's key.
   *
   * @return true for a received message not verified; false for a verified or a sent one
   */
  public boolean unverified() {
    return direction == Direction.IN && !Boolean.TRUE.equals(verified);
  }
}
