package io.parlance.client.messaging;

import io.parlance.protocol.wire.ChatLine;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;

/**
 * An open outgoing connection to a peer, as the delivery sees it: lines go out in the order they
 * are written, and it tells when it closed. Over TLS it is handed out only once the handshake
 * proved the peer's id. Thread-safe; completions run on the connection's event loop.
 */
public interface PeerLink {

  /**
   * Returns the peer's message address.
   *
   * @return the address
   */
  InetSocketAddress remoteAddress();

  /**
   * Tells whether the connection is still open.
   *
   * @return true until it closed
   */
  boolean isOpen();

  /**
   * Queues a line; it leaves at the next {@link #flush()}.
   *
   * @param line the line
   * @return completes when the line is written to the socket; fails with a {@link
   *     DeliveryException} if it could not be
   */
  CompletableFuture<Void> write(ChatLine line);

  /** Sends the lines written so far. */
  void flush();

  /**
   * Returns when the connection closed, for whatever reason.
   *
   * @return completes once closed
   */
  CompletableFuture<Void> closed();

  /** Closes the connection; lines not yet written are failed. */
  void close();
}
