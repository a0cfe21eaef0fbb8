package io.parlance.client.discovery;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.time.Duration;
import java.util.Objects;

/**
 * How the discovery server runs.
 *
 * @param networkInterface the interface to send on and join the group on
 * @param group the multicast group
 * @param port the multicast port
 * @param announceInterval how often to announce
 * @param peerTimeout how long a peer may stay silent before it is dropped
 * @param replyMinGap the shortest gap between two announces made to answer newcomers
 */
public record DiscoveryConfig(
    NetworkInterface networkInterface,
    InetAddress group,
    int port,
    Duration announceInterval,
    Duration peerTimeout,
    Duration replyMinGap) {

  /** Checks the values. */
  public DiscoveryConfig {
    Objects.requireNonNull(networkInterface, "networkInterface");
    Objects.requireNonNull(group, "group");
    Objects.requireNonNull(announceInterval, "announceInterval");
    Objects.requireNonNull(peerTimeout, "peerTimeout");
    Objects.requireNonNull(replyMinGap, "replyMinGap");
    if (!group.isMulticastAddress()) {
      throw new IllegalArgumentException(group.getHostAddress() + " is not a multicast address");
    }
    if (port < 1 || port > 65_535) {
      throw new IllegalArgumentException("multicast port " + port + " is outside 1-65535");
    }
  }
}
