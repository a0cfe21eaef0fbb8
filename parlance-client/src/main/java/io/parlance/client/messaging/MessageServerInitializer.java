package io.parlance.client.messaging;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import io.parlance.protocol.codec.ChatLineDecoder;
import io.parlance.protocol.codec.LineFrameDecoder;
import io.parlance.protocol.codec.PeerLineEncoder;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Builds the pipeline of an accepted connection, in the order {@link MessagingPipeline} draws. */
final class MessageServerInitializer extends ChannelInitializer<SocketChannel> {

  private final ConnectionLimitHandler connectionLimit;
  private final InboundSink sink;
  private final int maxLineBytes;
  private final int maxLinesPerSecond;
  private final Duration idleTimeout;
  private final PeerTls.Contexts tls;

  MessageServerInitializer(
      ConnectionLimitHandler connectionLimit,
      InboundSink sink,
      int maxLineBytes,
      int maxLinesPerSecond,
      Duration idleTimeout,
      PeerTls.Contexts tls) {
    this.tls = tls;
    this.connectionLimit = connectionLimit;
    this.sink = sink;
    this.maxLineBytes = maxLineBytes;
    this.maxLinesPerSecond = maxLinesPerSecond;
    this.idleTimeout = idleTimeout;
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    ch.pipeline().addLast(MessagingPipeline.CONNECTION_LIMIT, connectionLimit);
    if (tls != null) {
      ch.pipeline()
          .addLast(MessagingPipeline.TLS_DETECTOR, new TlsDetector(tls.server(), tls.required()));
    }
    ch.pipeline()
        .addLast(MessagingPipeline.LINE_FRAMER, new LineFrameDecoder(maxLineBytes))
        .addLast(MessagingPipeline.FLOOD_GUARD, new FloodGuard(maxLinesPerSecond))
        .addLast(MessagingPipeline.CHAT_LINE_DECODER, ChatLineDecoder.INSTANCE)
        .addLast(MessagingPipeline.ACK_ENCODER, PeerLineEncoder.INSTANCE)
        .addLast(
            MessagingPipeline.IDLE,
            new IdleStateHandler(idleTimeout.toMillis(), 0, 0, TimeUnit.MILLISECONDS))
        .addLast(MessagingPipeline.IDLE_CLOSER, IdleCloser.INSTANCE)
        .addLast(MessagingPipeline.INBOUND_HANDLER, new InboundMessageHandler(sink));
  }
}
