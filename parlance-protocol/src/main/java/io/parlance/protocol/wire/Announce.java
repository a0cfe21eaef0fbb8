package io.parlance.protocol.wire;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.parlance.protocol.Nickname;
import io.parlance.protocol.Protocol;

/**
 * "I am here": {@code {"type":"announce","nickname":"alice","tcp_port":54321}}.
 *
 * <p>The peer's address is the datagram's source IP plus {@code tcp_port}.
 *
 * @param nickname the peer's nickname, valid by Parlance's rules
 * @param tcpPort the TCP port the peer listens on for messages, 1–65535
 */
@JsonPropertyOrder({"nickname", "tcp_port"})
public record Announce(
    @JsonProperty(value = "nickname", required = true) String nickname,
    @JsonProperty(value = "tcp_port", required = true) int tcpPort)
    implements DiscoveryMessage {

  /** The value of the {@code type} field. */
  public static final String TYPE = "announce";

  /**
   * Validates the fields.
   *
   * @throws io.parlance.protocol.ProtocolException if the nickname or port is invalid
   */
  public Announce {
    Nickname.requireValid(nickname);
    Protocol.requireValidPort("tcp_port", tcpPort);
  }
}
