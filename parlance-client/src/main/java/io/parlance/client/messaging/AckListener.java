package io.parlance.client.messaging;

import java.net.InetSocketAddress;

/**
 * Where a pooled outgoing connection hands the acknowledgements its peer writes back; called on the
 * connection's event loop, must not block.
 */
@FunctionalInterface
public interface AckListener {

  /** A listener that waits for nothing: every acknowledgement is unexpected. */
  AckListener NONE = (from, id) -> false;

  /**
   * The peer acknowledged a message.
   *
   * @param from the remote address of the connection the acknowledgement came on: the peer's
   *     message address
   * @param id the acknowledged message id
   * @return true if a message with that id was waiting for an acknowledgement from that peer
   */
  boolean acked(InetSocketAddress from, String id);
}
