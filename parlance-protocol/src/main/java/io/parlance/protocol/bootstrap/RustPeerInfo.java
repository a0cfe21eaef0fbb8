package io.parlance.protocol.bootstrap;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.parlance.protocol.ProtocolError;
import io.parlance.protocol.ProtocolException;

/**
 * One peer in a Rust server's {@link RustServerFrame.PeerList}: {@code {"peer_id":"<uuid>",
 * "nickname":"bob","public_addr":"203.0.113.7:5000","local_addr":"192.168.1.5:5000",
 * "last_seen":1699564800}}. A Rust client connects to {@code public_addr}, or to {@code local_addr}
 * when that does not parse. The nickname is taken as the server sends it; whoever uses it checks
 * it.
 *
 * @param peerId the registration's id
 * @param nickname the peer's nickname
 * @param publicAddr the peer's source IP with its TCP port
 * @param localAddr the address the peer registered
 * @param lastSeen Unix seconds of the peer's last heartbeat (or registration)
 */
@JsonPropertyOrder({"peer_id", "nickname", "public_addr", "local_addr", "last_seen"})
public record RustPeerInfo(
    @JsonProperty(value = "peer_id", required = true) String peerId,
    @JsonProperty(value = "nickname", required = true) String nickname,
    @JsonProperty(value = "public_addr", required = true) String publicAddr,
    @JsonProperty(value = "local_addr", required = true) String localAddr,
    @JsonProperty(value = "last_seen", required = true) long lastSeen) {

  /** Checks that every text field is present. */
  @JsonCreator
  public RustPeerInfo {
    requireText("peer_id", peerId);
    requireText("nickname", nickname);
    requireText("public_addr", publicAddr);
    requireText("local_addr", localAddr);
  }

  static void requireText(String field, String value) {
    if (value == null) {
      throw new ProtocolException(ProtocolError.MISSING_FIELD, "field '" + field + "' is null");
    }
  }
}
