package io.parlance.bootstrap.registry;

import io.parlance.protocol.bootstrap.HostPort;
import io.parlance.protocol.bootstrap.PeerInfo;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;

/**
 * One live registration.
 *
 * @param nickname the nickname it holds
 * @param address the connection's source IP with the registered TCP port
 * @param addresses other {@code ip:port} addresses the peer registered; may be null
 * @param owner an id of the connection that holds it, so a late close never removes a newer holder
 */
public record PeerEntry(
    String nickname, InetSocketAddress address, List<String> addresses, String owner) {

  /** Checks the required parts. */
  public PeerEntry {
    Objects.requireNonNull(nickname, "nickname");
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(owner, "owner");
    addresses = addresses == null ? null : List.copyOf(addresses);
  }

  /**
   * Describes the entry as the wire shows a peer.
   *
   * @return the peer's wire description
   */
  public PeerInfo toPeerInfo() {
    return new PeerInfo(nickname, HostPort.format(address), addresses);
  }
}
