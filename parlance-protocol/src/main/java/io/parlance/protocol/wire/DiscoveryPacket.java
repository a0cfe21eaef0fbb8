package io.parlance.protocol.wire;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * A discovery message with the other end of its datagram: the sender when received, the recipient
 * when sent.
 *
 * @param message the discovery message
 * @param address the sender (inbound) or recipient (outbound)
 */
public record DiscoveryPacket(DiscoveryMessage message, InetSocketAddress address) {

  /** Checks that neither part is null. */
  public DiscoveryPacket {
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(address, "address");
  }
}
