package io.parlance.client.delivery;

import io.netty.channel.Channel;
import io.parlance.client.peer.Peer;
import io.parlance.protocol.wire.ChatLine;
import java.util.concurrent.CompletableFuture;

/** How the outbox reaches peers: the node's {@link io.parlance.client.messaging.ConnectionPool}. */
public interface PeerConnections {

  /**
   * Returns the pooled connection to a peer, opened if needed. A peer that acknowledges gets its
   * lines written on one connection at a time, so the sender knows when it changes.
   *
   * @param peer the peer: its message address, and its id if the connection must prove it over TLS
   * @return completes with the open (and, over TLS, verified) connection; fails if it cannot be
   *     opened, or if the peer may not be sent to (its key changed, or it is plain and encryption
   *     is required)
   */
  CompletableFuture<Channel> connection(Peer peer);

  /**
   * Writes one line to a plain peer over the pooled connection, trying once more on a fresh one if
   * the pooled one turns out closed.
   *
   * @param peer the peer
   * @param line the line
   * @return completes when the line is written to the socket; fails if it could not be
   */
  CompletableFuture<Void> write(Peer peer, ChatLine line);
}
