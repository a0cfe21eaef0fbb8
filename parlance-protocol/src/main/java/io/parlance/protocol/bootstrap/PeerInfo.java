package io.parlance.protocol.bootstrap;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonInclude.Include;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.parlance.protocol.Nickname;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * One online peer as the server describes it: {@code
 * {"nickname":"bob","address":"203.0.113.7:36091"}}.
 *
 * @param nickname the peer's nickname
 * @param address where the server saw the peer connect from, with its registered TCP port
 * @param addresses other {@code ip:port} addresses the peer registered; may be null
 */
@JsonPropertyOrder({"nickname", "address", "addresses"})
@JsonInclude(Include.NON_NULL)
public record PeerInfo(
    @JsonProperty(value = "nickname", required = true) String nickname,
    @JsonProperty(value = "address", required = true) String address,
    @JsonProperty("addresses") List<String> addresses) {

  /** Validates the fields. */
  public PeerInfo {
    Nickname.requireValid(nickname);
    HostPort.parse("address", address);
    addresses = HostPort.requireValidList("addresses", addresses);
  }

  /**
   * Creates a peer without extra addresses.
   *
   * @param nickname the nickname
   * @param address the address
   */
  public PeerInfo(String nickname, InetSocketAddress address) {
    this(nickname, HostPort.format(address), null);
  }

  /**
   * Returns {@link #address()} as a socket address.
   *
   * @return the resolved address
   */
  public InetSocketAddress socketAddress() {
    return HostPort.parse("address", address);
  }
}
