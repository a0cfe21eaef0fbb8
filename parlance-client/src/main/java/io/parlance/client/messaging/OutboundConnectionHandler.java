package io.parlance.client.messaging;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.parlance.protocol.LogLimiter;
import io.parlance.protocol.ProtocolException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a pooled outgoing connection tidy: discards anything that reaches it (what the peer writes
 * back is consumed by the {@link AckHandler} before), and logs errors (ordinary disconnects at
 * debug; bad lines from the peer with their reason) before closing the connection.
 */
@Sharable
final class OutboundConnectionHandler extends ChannelInboundHandlerAdapter {

  static final OutboundConnectionHandler INSTANCE = new OutboundConnectionHandler();

  private static final Logger LOG = LoggerFactory.getLogger(OutboundConnectionHandler.class);
  private static final LogLimiter BAD_REPLIES = new LogLimiter();

  private OutboundConnectionHandler() {}

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ReferenceCountUtil.release(msg);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof ProtocolException p) {
      BAD_REPLIES.log(
          more ->
              LOG.warn(
                  "[{}] Closed the connection to {}: it wrote back {} ({}){}",
                  ctx.channel().id().asShortText(),
                  ctx.channel().remoteAddress(),
                  LogLimiter.oneLine(p.getMessage()),
                  p.kind(),
                  more));
    } else if (Disconnects.isOrdinary(cause)) {
      LOG.debug(
          "[{}] Connection to {} ended: {}",
          ctx.channel().id().asShortText(),
          ctx.channel().remoteAddress(),
          cause.toString());
    } else {
      BAD_REPLIES.log(
          more ->
              LOG.warn(
                  "[{}] Closed the connection to {}: {}{}",
                  ctx.channel().id().asShortText(),
                  ctx.channel().remoteAddress(),
                  LogLimiter.describe(cause),
                  more));
    }
    ctx.close();
  }
}
