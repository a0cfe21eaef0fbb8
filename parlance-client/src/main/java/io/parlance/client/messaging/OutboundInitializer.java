package io.parlance.client.messaging;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.handler.timeout.WriteTimeoutHandler;
import io.parlance.protocol.codec.LineFrameDecoder;
import io.parlance.protocol.codec.PeerLineDecoder;
import io.parlance.protocol.codec.PeerLineEncoder;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Builds the pipeline of a pooled outgoing connection, in the order {@link MessagingPipeline}
 * draws.
 */
final class OutboundInitializer extends ChannelInitializer<SocketChannel> {

  /**
   * Most flushes merged into one: a burst longer than this is flushed in slices, so the first lines
   * of a long burst do not wait for the last ones.
   */
  static final int MAX_FLUSHES_MERGED = 256;

  private final Duration writeTimeout;
  private final Duration idleTimeout;
  private final PendingTls tls;
  private final AckListener acks;

  /**
   * A TLS context given must be ready before a TLS connection is opened ({@link ConnectionPool}).
   */
  OutboundInitializer(
      Duration writeTimeout, Duration idleTimeout, PendingTls tls, AckListener acks) {
    this.tls = tls;
    this.writeTimeout = writeTimeout;
    this.idleTimeout = idleTimeout;
    this.acks = acks;
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    if (tls != null && PeerTls.expectedPeer(ch) != null) {
      ch.pipeline().addLast(MessagingPipeline.TLS, tls.get().newHandler(ch.alloc()));
    }
    ch.pipeline()
        // ConnectionPool writes and flushes every line; sends that arrive while the loop is busy
        // are flushed together once the loop has run the writes already queued.
        .addLast(
            MessagingPipeline.FLUSH_CONSOLIDATION,
            new FlushConsolidationHandler(MAX_FLUSHES_MERGED, true))
        .addLast(MessagingPipeline.CHAT_LINE_ENCODER, PeerLineEncoder.INSTANCE)
        .addLast(
            MessagingPipeline.REPLY_FRAMER,
            new LineFrameDecoder(MessagingPipeline.MAX_REPLY_LINE_BYTES))
        .addLast(MessagingPipeline.REPLY_DECODER, PeerLineDecoder.INSTANCE)
        .addLast(
            MessagingPipeline.WRITE_TIMEOUT,
            new WriteTimeoutHandler(writeTimeout.toMillis(), TimeUnit.MILLISECONDS))
        .addLast(
            MessagingPipeline.IDLE,
            new IdleStateHandler(0, 0, idleTimeout.toMillis(), TimeUnit.MILLISECONDS))
        .addLast(MessagingPipeline.IDLE_CLOSER, IdleCloser.INSTANCE)
        .addLast(MessagingPipeline.ACK_HANDLER, new AckHandler(acks))
        .addLast(MessagingPipeline.OUTBOUND_HANDLER, OutboundConnectionHandler.INSTANCE);
  }
}
