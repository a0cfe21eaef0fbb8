package io.parlance.client.node;

import io.netty.util.NetUtil;
import io.parlance.client.peer.Peer;
import io.parlance.client.peer.PeerDirectory;
import io.parlance.protocol.Protocol;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Finds the one peer a user means, in the directory: a nickname, {@code nickname#ABCD} (the start
 * of its id), {@code nickname@ip:port} or {@code ip:port}.
 */
final class PeerResolver {

  private final PeerDirectory directory;

  PeerResolver(PeerDirectory directory) {
    this.directory = Objects.requireNonNull(directory, "directory");
  }

  /**
   * Finds the one peer a name means.
   *
   * @param target the name
   * @return the peer
   * @throws SendException if no peer or several peers match, listing how to name each
   */
  Peer resolve(String target) throws SendException {
    Objects.requireNonNull(target, "target");
    List<Peer> named = directory.byNickname(target);
    if (named.size() == 1) {
      return named.get(0);
    }
    if (named.size() > 1) {
      throw new SendException(
          SendException.Reason.AMBIGUOUS_NICKNAME,
          named.size()
              + " peers are called "
              + target
              + "; name one of them: "
              + named.stream().map(PeerResolver::names).collect(Collectors.joining(", ")),
          named,
          null);
    }
    int hash = target.lastIndexOf('#');
    if (hash > 0) {
      // nickname#ABCD: the start of the peer's id tells apart peers that share a nickname.
      String nick = target.substring(0, hash);
      String prefix = target.substring(hash + 1).replace("-", "").toUpperCase(Locale.ROOT);
      List<Peer> matching =
          prefix.isEmpty()
              ? List.of()
              : directory.byNickname(nick).stream()
                  .filter(p -> p.id() != null && p.id().value().replace("-", "").startsWith(prefix))
                  .toList();
      if (matching.size() == 1) {
        return matching.get(0);
      }
    }
    int at = target.lastIndexOf('@');
    String nick = at > 0 ? target.substring(0, at) : null;
    Optional<InetSocketAddress> address = parseAddress(at >= 0 ? target.substring(at + 1) : target);
    if (address.isPresent()) {
      Optional<Peer> peer =
          directory.get(address.get()).filter(p -> nick == null || p.nickname().equals(nick));
      if (peer.isPresent()) {
        return peer.get();
      }
    }
    throw new SendException(
        SendException.Reason.UNKNOWN_PEER, "no peer called " + target + " is online");
  }

  /** The ways to name one of several peers that share a nickname. */
  private static String names(Peer peer) {
    return peer.id() == null
        ? peer.qualifiedName()
        : peer.nickname() + "#" + peer.id().shortForm() + " (" + peer.qualifiedName() + ")";
  }

  /**
   * Tells whether a name is a bare nickname, not an address.
   *
   * @param target the name
   * @return true if it names no address
   */
  static boolean isPlainNickname(String target) {
    return target.indexOf('@') < 0 && parseAddress(target).isEmpty();
  }

  /**
   * Parses {@code ip:port} or {@code [ipv6]:port}, with no name lookup.
   *
   * @param text the text
   * @return the address, or empty if it is not one
   */
  static Optional<InetSocketAddress> parseAddress(String text) {
    int colon = text.lastIndexOf(':');
    if (colon <= 0 || colon == text.length() - 1) {
      return Optional.empty();
    }
    String host = text.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    byte[] ip = NetUtil.createByteArrayFromIpAddressString(host);
    if (ip == null) {
      return Optional.empty();
    }
    try {
      int port = Integer.parseInt(text.substring(colon + 1));
      if (port < 1 || port > Protocol.MAX_PORT) {
        return Optional.empty();
      }
      return Optional.of(new InetSocketAddress(InetAddress.getByAddress(ip), port));
    } catch (NumberFormatException | UnknownHostException e) {
      return Optional.empty();
    }
  }

  /**
   * Parses an IP literal, with no name lookup.
   *
   * @param host the text
   * @return the address
   * @throws IllegalArgumentException if it is not an IP address
   */
  static InetAddress ipLiteral(String host) {
    byte[] ip = NetUtil.createByteArrayFromIpAddressString(host);
    if (ip == null) {
      throw new IllegalArgumentException("'" + host + "' is not an IP address");
    }
    try {
      return InetAddress.getByAddress(ip);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("'" + host + "' is not an IP address", e);
    }
  }
}
