package io.parlance.protocol;

import java.time.Duration;

/** Constants of the plain Parlance protocol that every peer on a LAN must agree on. */
public final class Protocol {

  /** The multicast group peers announce themselves to. */
  public static final String MULTICAST_GROUP = "239.255.255.250";

  /** The UDP port of the multicast group. */
  public static final int MULTICAST_PORT = 6789;

  /** How often a peer announces itself by default. */
  public static final Duration ANNOUNCE_INTERVAL = Duration.ofSeconds(5);

  /** How long a peer may stay silent before it is dropped, by default. */
  public static final Duration PEER_TIMEOUT = Duration.ofSeconds(15);

  /**
   * Longest TCP line we accept, in bytes, without its line ending: 1 MiB, as much text as a person
   * pastes (the Rust Parlance takes lines of any length; we need a bound).
   */
  public static final int MAX_LINE_BYTES = 1024 * 1024;

  /** Largest discovery datagram we accept, in bytes. */
  public static final int MAX_DATAGRAM_BYTES = 8 * 1024;

  /** Lowest valid TCP port in an announce. */
  public static final int MIN_PORT = 1;

  /** Highest valid TCP port in an announce. */
  public static final int MAX_PORT = 65_535;

  private Protocol() {}

  /**
   * Checks a TCP port taken from the wire.
   *
   * @param field the wire field the port came from, for the error message
   * @param port the port
   * @return the port
   * @throws ProtocolException of kind {@link ProtocolError#INVALID_PORT} if it is outside 1–65535
   */
  public static int requireValidPort(String field, int port) {
    if (port < MIN_PORT || port > MAX_PORT) {
      throw new ProtocolException(
          ProtocolError.INVALID_PORT,
          field + " " + port + " is outside " + MIN_PORT + "-" + MAX_PORT);
    }
    return port;
  }
}
