package io.parlance.protocol.wire;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.parlance.protocol.Nickname;
import io.parlance.protocol.ProtocolError;
import io.parlance.protocol.ProtocolException;

/**
 * The plain Parlance message, one JSON object per TCP line and no {@code type} field: {@code
 * {"from":"alice","content":"message text","timestamp":1699123456}}. Our peers add an optional
 * message {@code id} (which the Rust Parlance ignores), and the receiver acknowledges it with an
 * {@link Ack}.
 *
 * @param from the sender's nickname, valid by Parlance's rules
 * @param content the message text, possibly empty
 * @param timestamp when it was sent, in Unix seconds
 * @param id the message id, for acknowledgement and de-duplication, or null
 */
@JsonPropertyOrder({"from", "content", "timestamp", "id"})
@JsonInclude(JsonInclude.Include.NON_NULL)
// Read as a ChatLine, a line is a chat line: no type id to look for. Without this, the type
// handling inherited from PeerLine buffers every field of every line before reading it.
@JsonTypeInfo(use = JsonTypeInfo.Id.NONE)
public record ChatLine(
    @JsonProperty(value = "from", required = true) String from,
    @JsonProperty(value = "content", required = true) String content,
    @JsonProperty(value = "timestamp", required = true) long timestamp,
    @JsonProperty("id") String id)
    implements PeerLine {

  /**
   * Validates the fields.
   *
   * @throws ProtocolException if {@code from} is not a valid nickname, or {@code content} is null
   *     or not valid Unicode (Rust strings cannot hold unpaired surrogates)
   */
  @JsonCreator
  public ChatLine {
    Nickname.requireValid(from);
    if (content == null) {
      throw new ProtocolException(ProtocolError.MISSING_FIELD, "field 'content' is null");
    }
    if (!isValidUnicode(content)) {
      throw new ProtocolException(
          ProtocolError.INVALID_UTF8,
          "field 'content' holds an unpaired surrogate, which is not valid Unicode");
    }
    if (id != null && id.isEmpty()) {
      throw new ProtocolException(ProtocolError.MISSING_FIELD, "field 'id' is empty");
    }
    Extensions.requireBounded("id", id);
  }

  /**
   * Creates a plain chat line, as the Rust Parlance sends it.
   *
   * @param from the sender's nickname
   * @param content the text
   * @param timestamp the send time, Unix seconds
   */
  public ChatLine(String from, String content, long timestamp) {
    this(from, content, timestamp, null);
  }

  /**
   * Returns this line with a message id.
   *
   * @param messageId the id
   * @return the new line
   */
  public ChatLine withId(String messageId) {
    return new ChatLine(from, content, timestamp, messageId);
  }

  /**
   * Creates a chat line stamped with the current time.
   *
   * @param from the sender's nickname
   * @param content the message text
   * @return the chat line
   */
  public static ChatLine now(String from, String content) {
    return new ChatLine(from, content, System.currentTimeMillis() / 1000);
  }

  private static boolean isValidUnicode(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return false;
      }
    }
    return true;
  }
}
