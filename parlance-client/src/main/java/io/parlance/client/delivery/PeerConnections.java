package io.parlance.client.delivery;

import io.parlance.client.messaging.PeerLink;
import io.parlance.client.peer.Peer;
import java.util.concurrent.CompletableFuture;

/**
 * How the outbox reaches peers: the node's {@link io.parlance.client.messaging.ConnectionPool}, or
 * a fake in tests.
 */
@FunctionalInterface
public interface PeerConnections {

  /**
   * Returns the pooled connection to a peer, opened if needed. Every peer, plain or acknowledging,
   * gets its lines written on one connection at a time, so the sender knows when it changes.
   *
   * @param peer the peer: its message address, and its id if the connection must prove it over TLS
   * @return completes with the open (and, over TLS, verified) connection; fails if it cannot be
   *     opened, or if the peer may not be sent to (its key changed, or it is plain and encryption
   *     is required)
   */
  CompletableFuture<PeerLink> connection(Peer peer);
}
