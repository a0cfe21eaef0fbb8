package io.parlance.client.messaging;

import io.parlance.client.security.PeerId;
import java.net.SocketAddress;

/**
 * Tells the listener whether a connection comes from a peer the node knows, which may use the slots
 * kept for known peers; holds nothing of Netty. Called on event loops, must not block.
 */
@FunctionalInterface
public interface KnownPeers {

  /** No peer is known. */
  KnownPeers NONE = (remote, proven) -> false;

  /**
   * Tells whether a connection comes from a known peer.
   *
   * @param remote where the connection comes from
   * @param proven the id the peer proved in its TLS handshake, or null if none (yet)
   * @return whether the node knows the peer
   */
  boolean isKnown(SocketAddress remote, PeerId proven);
}
