package io.parlance.client.discovery;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/** Finds the network interface discovery runs on. */
public final class NetworkInterfaces {

  private NetworkInterfaces() {}

  /**
   * Finds an interface by name, or the one the system routes the multicast group through.
   *
   * @param name the interface name (e.g. {@code lo}, {@code eth0}), or null for the system's choice
   * @param group the multicast group, used to ask the system for its choice
   * @return the interface
   * @throws IllegalArgumentException if there is no such interface, or it is down or has no IPv4
   *     address, naming the interfaces there are
   */
  public static NetworkInterface resolve(String name, InetAddress group) {
    try {
      NetworkInterface nif = name != null ? byName(name) : systemChoice(group);
      if (!nif.isUp()) {
        throw new IllegalArgumentException("network interface '" + nif.getName() + "' is down");
      }
      if (ipv4Addresses(nif).isEmpty()) {
        throw new IllegalArgumentException(
            "network interface '" + nif.getName() + "' has no IPv4 address");
      }
      return nif;
    } catch (SocketException e) {
      throw new UncheckedIOException("cannot list the network interfaces", e);
    }
  }

  /**
   * Returns the IPv4 addresses of an interface: the source addresses of our own datagrams.
   *
   * @param nif the interface
   * @return its IPv4 addresses
   */
  public static List<InetAddress> ipv4Addresses(NetworkInterface nif) {
    return Collections.list(nif.getInetAddresses()).stream()
        .filter(a -> a instanceof Inet4Address)
        .toList();
  }

  /**
   * Returns a test for whether an address is on one of an interface's IPv4 subnets, as the
   * interface's addresses and prefix lengths are now: a peer whose datagrams came from such an
   * address is on our link.
   *
   * @param nif the interface
   * @return true for an IPv4 address on one of its subnets
   */
  public static Predicate<InetAddress> onLink(NetworkInterface nif) {
    List<int[]> subnets =
        nif.getInterfaceAddresses().stream()
            .filter(a -> a.getAddress() instanceof Inet4Address)
            .map(
                a -> {
                  int prefix = Math.max(0, Math.min(32, a.getNetworkPrefixLength()));
                  int mask = prefix == 0 ? 0 : -1 << (32 - prefix);
                  return new int[] {toInt(a.getAddress()) & mask, mask};
                })
            .toList();
    return ip ->
        ip instanceof Inet4Address && subnets.stream().anyMatch(s -> (toInt(ip) & s[1]) == s[0]);
  }

  private static int toInt(InetAddress ipv4) {
    byte[] b = ipv4.getAddress();
    return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
  }

  private static NetworkInterface byName(String name) throws SocketException {
    NetworkInterface nif = NetworkInterface.getByName(name);
    if (nif == null) {
      throw new IllegalArgumentException(
          "no network interface named '" + name + "' (there are: " + available() + ")");
    }
    return nif;
  }

  private static NetworkInterface systemChoice(InetAddress group) throws SocketException {
    // Connecting a UDP socket sends nothing; it only asks the routing table for a source address.
    try (DatagramSocket probe = new DatagramSocket()) {
      probe.connect(new InetSocketAddress(group, 9));
      InetAddress local = probe.getLocalAddress();
      NetworkInterface nif = local == null ? null : NetworkInterface.getByInetAddress(local);
      if (nif == null) {
        throw new IllegalArgumentException(
            "cannot tell which network interface to use; choose one with --interface (there are: "
                + available()
                + ")");
      }
      return nif;
    } catch (UncheckedIOException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "cannot tell which network interface to use ("
              + e.getMessage()
              + "); choose one with --interface",
          e);
    }
  }

  private static String available() throws SocketException {
    return Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
        .map(NetworkInterface::getName)
        .sorted()
        .collect(Collectors.joining(", "));
  }
}
