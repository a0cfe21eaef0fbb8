package io.parlance.client.peer;

import io.parlance.client.security.PeerId;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Set;

/**
 * A peer we can send messages to: its nickname, its message address and how we learnt of it.
 *
 * <p>Peers are told apart by address, never by nickname: two peers may share a nickname.
 *
 * @param nickname the peer's nickname
 * @param address where the peer accepts messages (IP plus announced TCP port)
 * @param source how we learnt of the peer, e.g. {@link #LAN}
 * @param id the peer's identity, proven by a signature it made, or null for a plain peer
 * @param caps the extensions the peer advertises (e.g. {@code tls}, {@code ack}); empty for a plain
 *     peer
 */
public record Peer(
    String nickname, InetSocketAddress address, String source, PeerId id, Set<String> caps) {

  /** The source of peers discovered by LAN multicast. */
  public static final String LAN = "lan";

  /** The source of peers learnt from a bootstrap server. */
  public static final String INTERNET = "internet";

  /** Checks that no part is null. */
  public Peer {
    Objects.requireNonNull(nickname, "nickname");
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(source, "source");
    caps = caps == null ? Set.of() : Set.copyOf(caps);
  }

  /**
   * Creates a plain peer: no identity, no extensions.
   *
   * @param nickname the nickname
   * @param address the message address
   * @param source how we learnt of it
   */
  public Peer(String nickname, InetSocketAddress address, String source) {
    this(nickname, address, source, null, Set.of());
  }

  /**
   * Tells whether the peer advertises an extension.
   *
   * @param cap the capability, e.g. {@code "tls"}
   * @return true if it does
   */
  public boolean has(String cap) {
    return caps.contains(cap);
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
