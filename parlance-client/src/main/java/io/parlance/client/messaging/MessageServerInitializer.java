package io.parlance.client.messaging;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import io.parlance.protocol.codec.ChatLineDecoder;
import io.parlance.protocol.codec.LineFrameDecoder;
import io.parlance.protocol.codec.PeerLineEncoder;
import java.util.concurrent.TimeUnit;

/** Builds the pipeline of an accepted connection, in the order {@link MessagingPipeline} draws. */
final class MessageServerInitializer extends ChannelInitializer<SocketChannel> {

  private final ConnectionLimitHandler connectionLimit;
  private final InboundSink sink;
  private final InboundLimits limits;
  private final PeerTls.Contexts tls;
  private final InboundRefusals refusals;
  private final boolean relayed;

  MessageServerInitializer(
      ConnectionLimitHandler connectionLimit,
      InboundSink sink,
      InboundLimits limits,
      PeerTls.Contexts tls,
      InboundRefusals refusals) {
    this(connectionLimit, sink, limits, tls, refusals, false);
  }

  /**
   * Creates the initializer of accepted connections, or of relayed ones: those get no connection
   * slot (the relay server limits the sessions, and {@link MessageServer} how many it accepts) and
   * must speak TLS, since a plain peer is never relayed.
   */
  MessageServerInitializer(
      ConnectionLimitHandler connectionLimit,
      InboundSink sink,
      InboundLimits limits,
      PeerTls.Contexts tls,
      InboundRefusals refusals,
      boolean relayed) {
    this.relayed = relayed;
    this.tls = tls;
    this.connectionLimit = connectionLimit;
    this.sink = sink;
    this.limits = limits;
    this.refusals = refusals;
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    if (relayed) {
      if (tls == null) {
        ch.close();
        return;
      }
      ch.pipeline().addLast(MessagingPipeline.TLS_DETECTOR, new TlsDetector(tls.server(), true));
    } else {
      ch.pipeline().addLast(MessagingPipeline.CONNECTION_LIMIT, connectionLimit);
      if (tls != null) {
        ch.pipeline()
            .addLast(MessagingPipeline.TLS_DETECTOR, new TlsDetector(tls.server(), tls.required()));
      }
    }
    ch.pipeline()
        .addLast(
            MessagingPipeline.LINE_FRAMER,
            new LineFrameDecoder(limits.maxLineBytes(), connectionLimit.budget(ch)))
        .addLast(MessagingPipeline.FLOOD_GUARD, new FloodGuard(limits.maxLinesPerSecond()))
        .addLast(MessagingPipeline.CHAT_LINE_DECODER, ChatLineDecoder.INSTANCE)
        .addLast(MessagingPipeline.LINE_GATE, new LineGate(connectionLimit, refusals))
        .addLast(MessagingPipeline.ACK_ENCODER, PeerLineEncoder.INSTANCE)
        .addLast(
            MessagingPipeline.IDLE,
            new IdleStateHandler(limits.idleTimeout().toMillis(), 0, 0, TimeUnit.MILLISECONDS))
        .addLast(MessagingPipeline.IDLE_CLOSER, IdleCloser.INSTANCE)
        .addLast(MessagingPipeline.INBOUND_HANDLER, new InboundMessageHandler(sink));
  }
}
