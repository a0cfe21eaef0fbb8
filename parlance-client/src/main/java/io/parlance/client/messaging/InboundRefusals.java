package io.parlance.client.messaging;

import java.net.SocketAddress;

/** Where the message server reports lines it had to refuse; called on an event loop. */
@FunctionalInterface
public interface InboundRefusals {

  /** Refusals go nowhere. */
  InboundRefusals NONE = (refusal, connection) -> {};

  /**
   * A line was refused and its connection closed.
   *
   * @param refusal who sent what size, and why it was refused
   * @param connection a short name of the connection it came on, for log lines
   */
  void refused(Refusal refusal, String connection);

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
