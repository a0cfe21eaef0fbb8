package io.parlance.client.messaging;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a pooled outgoing connection tidy: discards anything the peer sends back, closes the
 * connection when it has been idle, and logs errors (ordinary disconnects at debug).
 */
@Sharable
final class OutboundConnectionHandler extends ChannelInboundHandlerAdapter {

  static final OutboundConnectionHandler INSTANCE = new OutboundConnectionHandler();

  private static final Logger LOG = LoggerFactory.getLogger(OutboundConnectionHandler.class);

  private OutboundConnectionHandler() {}

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ReferenceCountUtil.release(msg);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (Disconnects.isOrdinary(cause)) {
      LOG.debug(
          "[{}] Connection to {} ended: {}",
          ctx.channel().id().asShortText(),
          ctx.channel().remoteAddress(),
          cause.toString());
    } else {
      LOG.warn(
          "[{}] Closed the connection to {}: {}",
          ctx.channel().id().asShortText(),
          ctx.channel().remoteAddress(),
          cause.toString());
    }
    ctx.close();
  }
}
