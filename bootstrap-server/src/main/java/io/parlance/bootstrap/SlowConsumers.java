package io.parlance.bootstrap;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes clients that do not read what the server writes them, counting each one once even when
 * several writers (the event fan-out, replies) find it unwritable before its close completes.
 */
final class SlowConsumers {

  private static final Logger LOG = LoggerFactory.getLogger(SlowConsumers.class);

  private static final AttributeKey<Boolean> CLOSING =
      AttributeKey.valueOf(SlowConsumers.class, "closing");

  private SlowConsumers() {}

  /**
   * Tells whether a channel is already being closed as a slow consumer.
   *
   * @param channel the client's channel
   * @return true after {@link #close} was called for it
   */
  static boolean isClosing(Channel channel) {
    return channel.hasAttr(CLOSING);
  }

  /**
   * Closes a client that does not read, counting it in the metrics the first time only.
   *
   * @param channel the client's channel
   * @param metrics the server's metrics
   */
  static void close(Channel channel, ServerMetrics metrics) {
    if (channel.attr(CLOSING).setIfAbsent(Boolean.TRUE) == null) {
      LOG.info("[id: 0x{}] Closing a client that does not read", channel.id().asShortText());
      metrics.slowConsumersClosed.increment();
    }
    channel.close();
  }
}
