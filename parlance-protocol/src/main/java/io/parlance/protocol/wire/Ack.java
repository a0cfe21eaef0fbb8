package io.parlance.protocol.wire;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.parlance.protocol.ProtocolError;
import io.parlance.protocol.ProtocolException;

/**
 * "Stored": {@code {"type":"ack","id":"..."}}, sent back by the receiver of a chat line that
 * carried an {@code id} once it has stored it, so the sender can drop it from its outbox.
 *
 * @param id the id of the acknowledged message
 */
@JsonPropertyOrder({"type", "id"})
public record Ack(@JsonProperty(value = "id", required = true) String id) implements PeerLine {

  /** The value of the {@code type} field. */
  public static final String TYPE = "ack";

  /**
   * Validates the id.
   *
   * @throws ProtocolException if it is missing, empty or too long
   */
  public Ack {
    if (id == null || id.isEmpty()) {
      throw new ProtocolException(ProtocolError.MISSING_FIELD, "field 'id' is missing or empty");
    }
    Extensions.requireBounded("id", id);
  }

  /**
   * Returns the line type, written as the {@code type} field.
   *
   * @return {@value #TYPE}
   */
  @JsonProperty("type")
  public String type() {
    return TYPE;
  }
}
