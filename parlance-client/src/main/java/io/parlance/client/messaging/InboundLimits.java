package io.parlance.client.messaging;

import io.parlance.protocol.Protocol;
import java.time.Duration;

/**
 * The limits of the message listener: how many connections it holds, how many one address may hold,
 * how many stay free for known peers, how long a connection may take to deliver its first line or
 * stay silent after, how long a line may be and how many bytes of unfinished lines it buffers per
 * address and in all.
 *
 * @param maxConnections the most inbound connections open at once
 * @param maxConnectionsPerAddress the most inbound connections open at once from one IP address
 * @param reservedForKnownPeers of {@code maxConnections}, how many only connections from known
 *     peers may take
 * @param firstLineTimeout how long a connection from an unknown address may take to deliver its
 *     first valid line (the TLS handshake included) before it is closed
 * @param idleTimeout how long a connection may stay silent after that before it is closed
 * @param maxLineBytes the longest line accepted, in bytes
 * @param maxPendingBytesPerAddress the most bytes of unfinished lines buffered for one address
 * @param maxPendingBytes the most bytes of unfinished lines buffered in all
 * @param maxLinesPerSecond the most lines one connection may send in a second
 */
public record InboundLimits(
    int maxConnections,
    int maxConnectionsPerAddress,
    int reservedForKnownPeers,
    Duration firstLineTimeout,
    Duration idleTimeout,
    int maxLineBytes,
    long maxPendingBytesPerAddress,
    long maxPendingBytes,
    int maxLinesPerSecond) {

  /**
   * The defaults: 256 connections, 32 per address, 32 of them kept for known peers, 10 s for the
   * first line, 5 minutes idle, lines of up to 1 MiB, 4 MiB of unfinished lines per address and 64
   * MiB in all, 50,000 lines a second per connection (past which reading it pauses).
   */
  public static final InboundLimits DEFAULTS =
      new InboundLimits(
          256,
          32,
          32,
          Duration.ofSeconds(10),
          Duration.ofMinutes(5),
          Protocol.MAX_LINE_BYTES,
          4L * 1024 * 1024,
          64L * 1024 * 1024,
          50_000);

  /**
   * Checks the limits.
   *
   * @param maxConnections the most inbound connections open at once
   * @param maxConnectionsPerAddress the most from one address
   * @param reservedForKnownPeers how many only known peers may take
   * @param firstLineTimeout how long until the first line
   * @param idleTimeout how long a connection may stay silent
   * @param maxLineBytes the longest line
   * @param maxPendingBytesPerAddress unfinished bytes per address
   * @param maxPendingBytes unfinished bytes in all
   * @param maxLinesPerSecond lines a second per connection
   */
  public InboundLimits {
    positive("maxConnections", maxConnections);
    positive("maxConnectionsPerAddress", maxConnectionsPerAddress);
    if (reservedForKnownPeers < 0 || reservedForKnownPeers >= maxConnections) {
      throw new IllegalArgumentException(
          "reservedForKnownPeers must be at least 0 and below maxConnections ("
              + maxConnections
              + "): "
              + reservedForKnownPeers);
    }
    positive("firstLineTimeout", firstLineTimeout);
    positive("idleTimeout", idleTimeout);
    positive("maxLineBytes", maxLineBytes);
    positive("maxPendingBytesPerAddress", maxPendingBytesPerAddress);
    positive("maxPendingBytes", maxPendingBytes);
    positive("maxLinesPerSecond", maxLinesPerSecond);
  }

  /**
   * Returns these limits with another connection limit.
   *
   * @param max the most inbound connections open at once
   * @return the new limits; the reserve shrinks to fit if it must
   */
  public InboundLimits withMaxConnections(int max) {
    return new InboundLimits(
        max,
        maxConnectionsPerAddress,
        Math.min(reservedForKnownPeers, Math.max(0, max - 1)),
        firstLineTimeout,
        idleTimeout,
        maxLineBytes,
        maxPendingBytesPerAddress,
        maxPendingBytes,
        maxLinesPerSecond);
  }

  /**
   * Returns these limits with another per-address limit and reserve.
   *
   * @param perAddress the most inbound connections open at once from one address
   * @param reserved how many of all only known peers may take
   * @return the new limits
   */
  public InboundLimits withAddressLimits(int perAddress, int reserved) {
    return new InboundLimits(
        maxConnections,
        perAddress,
        reserved,
        firstLineTimeout,
        idleTimeout,
        maxLineBytes,
        maxPendingBytesPerAddress,
        maxPendingBytes,
        maxLinesPerSecond);
  }

  /**
   * Returns these limits with other timeouts.
   *
   * @param firstLine how long an unknown connection may take to deliver its first line
   * @param idle how long a connection may stay silent after
   * @return the new limits
   */
  public InboundLimits withTimeouts(Duration firstLine, Duration idle) {
    return new InboundLimits(
        maxConnections,
        maxConnectionsPerAddress,
        reservedForKnownPeers,
        firstLine,
        idle,
        maxLineBytes,
        maxPendingBytesPerAddress,
        maxPendingBytes,
        maxLinesPerSecond);
  }

  /**
   * Returns these limits with other line limits.
   *
   * @param lineBytes the longest line
   * @param pendingPerAddress the most bytes of unfinished lines buffered for one address
   * @param pending the most bytes of unfinished lines buffered in all
   * @param linesPerSecond the most lines one connection may send in a second
   * @return the new limits
   */
  public InboundLimits withLines(
      int lineBytes, long pendingPerAddress, long pending, int linesPerSecond) {
    return new InboundLimits(
        maxConnections,
        maxConnectionsPerAddress,
        reservedForKnownPeers,
        firstLineTimeout,
        idleTimeout,
        lineBytes,
        pendingPerAddress,
        pending,
        linesPerSecond);
  }

  private static void positive(String name, long value) {
    if (value < 1) {
      throw new IllegalArgumentException(name + " must be positive: " + value);
    }
  }

  private static void positive(String name, Duration value) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be positive: " + value);
    }
  }
}
