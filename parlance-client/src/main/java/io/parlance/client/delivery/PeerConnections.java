package io.parlance.client.delivery;

import io.netty.channel.Channel;
import io.parlance.protocol.wire.ChatLine;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;

/** How the outbox reaches peers: the node's {@link io.parlance.client.messaging.ConnectionPool}. */
public interface PeerConnections {

  /**
   * Returns the pooled connection to a peer, opened if needed. A peer that acknowledges gets its
   * lines written on one connection at a time, so the sender knows when it changes.
   *
   * @param address the peer's message address
   * @return completes with the open connection; fails if it cannot be opened
   */
  CompletableFuture<Channel> connection(InetSocketAddress address);

  /**
   * Writes one line to a plain peer over the pooled connection, trying once more on a fresh one if
   * the pooled one turns out closed.
   *
   * @param address the peer's message address
   * @param line the line
   * @return completes when the line is written to the socket; fails if it could not be
   */
  CompletableFuture<Void> write(InetSocketAddress address, ChatLine line);
}
