package io.parlance.protocol.room;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.parlance.protocol.ProtocolError;
import io.parlance.protocol.ProtocolException;

/**
 * A message in a room, signed by its author so that any member may relay it and every member can
 * check it. Members order a room by ({@code clock}, {@code author}); an author's messages have
 * {@code seq} 1, 2, 3, ... and ever higher clocks, so its own are never reordered.
 *
 * @param room the room id
 * @param id the message id, random (de-duplication)
 * @param author the author's peer id
 * @param seq the author's count of its messages in this room, from 1 (high-water marks)
 * @param clock the Lamport clock: one more than the highest the author had seen
 * @param text the text
 * @param sig the author's signature over all of the above
 */
@JsonPropertyOrder({"room", "id", "author", "seq", "clock", "text", "sig"})
public record RoomMessage(
    @JsonProperty(value = "room", required = true) String room,
    @JsonProperty(value = "id", required = true) String id,
    @JsonProperty(value = "author", required = true) String author,
    @JsonProperty(value = "seq", required = true) long seq,
    @JsonProperty(value = "clock", required = true) long clock,
    @JsonProperty(value = "text", required = true) String text,
    @JsonProperty(value = "sig", required = true) String sig) {

  /** Checks the bounds (not the signature: see {@link #signedBy}). */
  public RoomMessage {
    RoomIds.require(room);
    RoomIds.require(id);
    RoomLimits.token("author", author);
    if (seq < 1 || clock < 1) {
      throw new ProtocolException(
          ProtocolError.WRONG_FIELD_TYPE, "fields 'seq' and 'clock' must be at least 1");
    }
    RoomLimits.text("text", text, RoomLimits.MAX_TEXT);
    RoomLimits.token("sig", sig);
  }

  /**
   * Makes and signs a message.
   *
   * @param room the room
   * @param seq the author's next sequence number
   * @param clock the Lamport clock
   * @param text the text
   * @param signer the author
   * @return the message, with a new random id
   */
  public static RoomMessage create(
      String room, long seq, long clock, String text, RoomSigner signer) {
    String id = RoomIds.random();
    byte[] data = payload(room, id, signer.id(), seq, clock, text);
    return new RoomMessage(room, id, signer.id(), seq, clock, text, Sigs.sign(signer, data));
  }

  /**
   * Returns whether the message is signed by this key.
   *
   * @param key the author's key, base64
   * @return true if the signature is valid
   */
  public boolean signedBy(String key) {
    return Sigs.valid(key, payload(room, id, author, seq, clock, text), sig);
  }

  /**
   * Returns roughly how many bytes the message takes on the wire.
   *
   * @return an estimate, exact for ASCII text
   */
  @JsonIgnore
  public int wireSize() {
    return 160 + author.length() + sig.length() + text.length() * 3;
  }

  private static byte[] payload(
      String room, String id, String author, long seq, long clock, String text) {
    return new Canonical("parlance-room-msg-v1")
        .add(room)
        .add(id)
        .add(author)
        .add(seq)
        .add(clock)
        .add(text)
        .bytes();
  }
}
