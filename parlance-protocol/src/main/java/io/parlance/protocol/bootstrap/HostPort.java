package io.parlance.protocol.bootstrap;

import io.netty.util.NetUtil;
import io.parlance.protocol.Protocol;
import io.parlance.protocol.ProtocolError;
import io.parlance.protocol.ProtocolException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * The {@code "ip:port"} text form of a peer address: an IPv4 literal ({@code 10.0.0.2:36091}) or a
 * bracketed IPv6 literal ({@code [2001:db8::1]:36091}). Never a host name, so reading one never
 * touches DNS.
 */
public final class HostPort {

  /** Longest address text accepted, in characters. */
  public static final int MAX_CHARS = 64;

  private HostPort() {}

  /**
   * Formats a resolved socket address.
   *
   * @param address the address, which must be resolved
   * @return its {@code ip:port} text
   */
  public static String format(InetSocketAddress address) {
    InetAddress ip = address.getAddress();
    if (ip == null) {
      throw new IllegalArgumentException("address is unresolved: " + address);
    }
    return NetUtil.toSocketAddressString(address);
  }

  /**
   * Parses {@code ip:port} text.
   *
   * @param field the wire field it came from, for the error message
   * @param text the text
   * @return the socket address, resolved without DNS
   * @throws ProtocolException of kind {@link ProtocolError#WRONG_FIELD_TYPE} if it is not an IP
   *     literal with a port, or {@link ProtocolError#INVALID_PORT} if the port is out of range
   */
  public static InetSocketAddress parse(String field, String text) {
    if (text == null) {
      throw new ProtocolException(ProtocolError.MISSING_FIELD, "field '" + field + "' is null");
    }
    int colon = text.lastIndexOf(':');
    if (text.length() > MAX_CHARS || colon <= 0 || colon == text.length() - 1) {
      throw notAnAddress(field, text);
    }
    String host = text.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    } else if (host.indexOf(':') >= 0) {
      throw notAnAddress(field, text);
    }
    byte[] ip = NetUtil.createByteArrayFromIpAddressString(host);
    String portText = text.substring(colon + 1);
    if (ip == null || portText.length() > 5 || !portText.chars().allMatch(Character::isDigit)) {
      throw notAnAddress(field, text);
    }
    int port = Protocol.requireValidPort(field, Integer.parseInt(portText));
    try {
      return new InetSocketAddress(InetAddress.getByAddress(ip), port);
    } catch (UnknownHostException e) {
      throw notAnAddress(field, text);
    }
  }

  /**
   * Checks an optional list of addresses.
   *
   * @param field the wire field, for the error message
   * @param addresses the list, possibly null
   * @return an unmodifiable copy, or null if it was null
   */
  static List<String> requireValidList(String field, List<String> addresses) {
    if (addresses == null) {
      return null;
    }
    if (addresses.size() > BootstrapProtocol.MAX_ADDRESSES) {
      throw new ProtocolException(
          ProtocolError.WRONG_FIELD_TYPE,
          "field '"
              + field
              + "' has "
              + addresses.size()
              + " entries; the limit is "
              + BootstrapProtocol.MAX_ADDRESSES);
    }
    for (String address : addresses) {
      parse(field, address);
    }
    return List.copyOf(addresses);
  }

  private static ProtocolException notAnAddress(String field, String text) {
    String shown = text.length() > MAX_CHARS ? text.substring(0, MAX_CHARS) + "..." : text;
    return new ProtocolException(
        ProtocolError.WRONG_FIELD_TYPE,
        "field '" + field + "': '" + shown + "' is not an ip:port address");
  }
}
