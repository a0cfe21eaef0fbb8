package io.parlance.client.messaging;

import io.parlance.protocol.wire.ChatLine;
import java.net.SocketAddress;

/**
 * Where the message server hands each received chat line; called on an event loop, must not block.
 */
@FunctionalInterface
public interface InboundSink {

  /**
   * A chat line arrived.
   *
   * @param line the line
   * @param remote the address of the connection it came on
   */
  void received(ChatLine line, SocketAddress remote);
}
