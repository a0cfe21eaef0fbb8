package io.parlance.client.config;

/**
 * The bounds an operator may want to change: how many peers the peer list keeps (in all and per IP
 * address) and how many connections the message listener takes (in all and per address). Each is
 * null where not set, so layers override one another as {@link Settings} do: defaults &lt; the
 * config file's {@code [limits]} &lt; command-line flags.
 *
 * @param maxPeers the most peers listed in all ({@code limits.max_peers}, {@code --max-peers})
 * @param maxPeersPerIp the most peers listed at one IP address ({@code limits.max_peers_per_ip})
 * @param maxConnections the most inbound connections ({@code limits.max_connections})
 * @param maxConnectionsPerAddress the most inbound connections from one address ({@code
 *     limits.max_connections_per_address})
 */
public record LimitSettings(
    Integer maxPeers,
    Integer maxPeersPerIp,
    Integer maxConnections,
    Integer maxConnectionsPerAddress) {

  /** Nothing set. */
  public static final LimitSettings EMPTY = new LimitSettings(null, null, null, null);

  /**
   * Returns these settings with each one the other sets replaced.
   *
   * @param higher the layer above
   * @return the merged settings
   */
  public LimitSettings overriddenBy(LimitSettings higher) {
    return new LimitSettings(
        higher.maxPeers != null ? higher.maxPeers : maxPeers,
        higher.maxPeersPerIp != null ? higher.maxPeersPerIp : maxPeersPerIp,
        higher.maxConnections != null ? higher.maxConnections : maxConnections,
        higher.maxConnectionsPerAddress != null
            ? higher.maxConnectionsPerAddress
            : maxConnectionsPerAddress);
  }
}
