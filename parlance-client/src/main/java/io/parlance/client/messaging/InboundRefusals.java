package io.parlance.client.messaging;

import io.netty.channel.Channel;
import java.net.SocketAddress;

/** Where the message server reports lines it had to refuse; called on an event loop. */
@FunctionalInterface
public interface InboundRefusals {

  /** Refusals go nowhere. */
  InboundRefusals NONE = (refusal, channel) -> {};

  /**
   * A line was refused and its connection closed.
   *
   * @param refusal who sent what size, and why it was refused
   * @param channel the connection it came on
   */
  void refused(Refusal refusal, Channel channel);

  /**
   * A refused line.
   *
   * @param from the sender's nickname as the line's first bytes give it, or null if they do not
   * @param address where the connection came from
   * @param bytes how long the line was when it was refused
   * @param atLeast whether it was still arriving, so it may be longer
   * @param reason why it was refused, in words
   */
  record Refusal(String from, SocketAddress address, long bytes, boolean atLeast, String reason) {}
}
