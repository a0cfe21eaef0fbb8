package io.parlance.client.messaging;

import io.netty.channel.Channel;
import io.parlance.protocol.wire.ChatLine;

/**
 * Where the message server hands each received chat line; called on an event loop, must not block.
 */
@FunctionalInterface
public interface InboundSink {

  /**
   * A chat line arrived.
   *
   * @param line the line
   * @param channel the connection it came on: its remote address, its attributes (such as the
   *     peer's proven identity) and the way back for an acknowledgement
   */
  void received(ChatLine line, Channel channel);
}
