package io.parlance.protocol.wire;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * One discovery datagram: a JSON object whose {@code type} field says which message it is.
 *
 * <p>New message types are added as new permitted records; peers that do not know a type reject it
 * with {@link io.parlance.protocol.ProtocolError#UNKNOWN_TYPE} and skip it.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = Announce.class, name = Announce.TYPE),
  @JsonSubTypes.Type(value = Goodbye.class, name = Goodbye.TYPE)
})
public sealed interface DiscoveryMessage permits Announce, Goodbye {

  /**
   * Returns the nickname of the peer that sent the message.
   *
   * @return the sender's nickname
   */
  String nickname();
}
