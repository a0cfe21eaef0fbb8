package io.parlance.client.messaging;

import io.parlance.client.security.PeerId;
import io.parlance.protocol.wire.ChatLine;
import java.net.SocketAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * A chat line received on an inbound connection, with what the connection tells of its sender;
 * holds nothing of Netty, so the rest of the client never sees a channel.
 *
 * @param line the line
 * @param remote the address the connection came from
 * @param proven the id the sender proved in its TLS handshake, or null over a plain connection
 * @param connection a short name of the connection, for log lines
 */
public record InboundMessage(
    ChatLine line, SocketAddress remote, PeerId proven, String connection) {

  /** Checks the required parts. */
  public InboundMessage {
    Objects.requireNonNull(line, "line");
    Objects.requireNonNull(remote, "remote");
    Objects.requireNonNull(connection, "connection");
  }

  /**
   * Returns the id the sender proved over TLS.
   *
   * @return the id, or empty over a plain connection
   */
  public Optional<PeerId> provenPeer() {
    return Optional.ofNullable(proven);
  }
}
