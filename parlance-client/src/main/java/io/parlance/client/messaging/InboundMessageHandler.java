package io.parlance.client.messaging;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.parlance.protocol.ProtocolException;
import io.parlance.protocol.wire.ChatLine;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands each chat line received on an inbound connection to the {@link InboundSink}; closes the
 * connection, with a log line naming it, on bad input, on an error or when it has been idle. One
 * shared instance per server.
 */
@Sharable
public final class InboundMessageHandler extends SimpleChannelInboundHandler<ChatLine> {

  private static final Logger LOG = LoggerFactory.getLogger(InboundMessageHandler.class);

  private final InboundSink sink;

  /**
   * Creates the handler.
   *
   * @param sink where chat lines go
   */
  public InboundMessageHandler(InboundSink sink) {
    this.sink = Objects.requireNonNull(sink, "sink");
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, ChatLine line) {
    sink.received(line, ctx.channel());
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    String id = ctx.channel().id().asShortText();
    Object remote = ctx.channel().remoteAddress();
    if (cause instanceof ProtocolException p) {
      LOG.warn("[{}] Closed the connection from {}: {} ({})", id, remote, p.getMessage(), p.kind());
    } else if (Disconnects.isOrdinary(cause)) {
      LOG.debug("[{}] Connection from {} ended: {}", id, remote, cause.toString());
    } else {
      LOG.warn("[{}] Closed the connection from {} after an error", id, remote, cause);
    }
    ctx.close();
  }
}
