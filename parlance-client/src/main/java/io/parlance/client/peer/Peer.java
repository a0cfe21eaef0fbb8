package io.parlance.client.peer;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * A peer we can send messages to: its nickname, its message address and how we learnt of it.
 *
 * <p>Peers are told apart by address, never by nickname: two peers may share a nickname.
 *
 * @param nickname the peer's nickname
 * @param address where the peer accepts messages (IP plus announced TCP port)
 * @param source how we learnt of the peer, e.g. {@link #LAN}
 */
public record Peer(String nickname, InetSocketAddress address, String source) {

  /** The source of peers discovered by LAN multicast. */
  public static final String LAN = "lan";

  /** The source of peers learnt from a bootstrap server. */
  public static final String INTERNET = "internet";

  /** Checks that no part is null. */
  public Peer {
    Objects.requireNonNull(nickname, "nickname");
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(source, "source");
  }

  /**
   * Returns the address as {@code ip:port}, with no host name lookup.
   *
   * @return the address text
   */
  public String addressText() {
    return format(address);
  }

  /**
   * Returns how a user names this peer unambiguously: {@code nickname@ip:port}.
   *
   * @return the qualified name
   */
  public String qualifiedName() {
    return nickname + "@" + addressText();
  }

  /**
   * Formats an address as {@code ip:port} without a host name lookup ({@code [v6]:port} for IPv6).
   *
   * @param address the address
   * @return the text
   */
  public static String format(InetSocketAddress address) {
    String host =
        address.getAddress() != null
            ? address.getAddress().getHostAddress()
            : address.getHostString();
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
  }
}
