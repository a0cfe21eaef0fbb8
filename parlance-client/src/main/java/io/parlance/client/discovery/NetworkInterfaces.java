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
