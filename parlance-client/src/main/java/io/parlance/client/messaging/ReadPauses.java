package io.parlance.client.messaging;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;

/**
 * The reasons a connection's reading is paused, so that handlers that each pause it for a reason of
 * their own (the store is behind, the sender is over its rate) do not resume it for each other:
 * reading resumes only once no reason is left. Event loop only.
 */
final class ReadPauses {

  /** Too many of the connection's lines wait for the store. */
  static final int STORE = 1;

  /** The connection sent more lines than its rate allows. */
  static final int RATE = 2;

  /** A TLS client came before the node's TLS context was built ({@link TlsDetector}). */
  static final int TLS = 4;

  private static final AttributeKey<ReadPauses> KEY =
      AttributeKey.valueOf(ReadPauses.class, "reasons");

  private int reasons;

  private ReadPauses() {}

  /**
   * Pauses reading a connection for a reason.
   *
   * @param channel the connection
   * @param reason {@link #STORE}, {@link #RATE} or {@link #TLS}
   */
  static void pause(Channel channel, int reason) {
    ReadPauses pauses = channel.attr(KEY).get();
    if (pauses == null) {
      pauses = new ReadPauses();
      channel.attr(KEY).set(pauses);
    }
    pauses.reasons |= reason;
    channel.config().setAutoRead(false);
  }

  /**
   * Takes a reason back; reading resumes if it was the last.
   *
   * @param channel the connection
   * @param reason {@link #STORE}, {@link #RATE} or {@link #TLS}
   */
  static void resume(Channel channel, int reason) {
    ReadPauses pauses = channel.attr(KEY).get();
    if (pauses == null) {
      return;
    }
    pauses.reasons &= ~reason;
    if (pauses.reasons == 0 && !channel.config().isAutoRead()) {
      channel.config().setAutoRead(true);
    }
  }

  /**
   * Tells whether reading a connection is paused for a reason.
   *
   * @param channel the connection
   * @param reason {@link #STORE}, {@link #RATE} or {@link #TLS}
   * @return true if it is
   */
  static boolean pausedFor(Channel channel, int reason) {
    ReadPauses pauses = channel.attr(KEY).get();
    return pauses != null && (pauses.reasons & reason) != 0;
  }
}
