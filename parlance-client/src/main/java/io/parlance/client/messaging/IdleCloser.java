package io.parlance.client.messaging;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Closes a connection when the {@code IdleStateHandler} before it reports it idle. */
@Sharable
final class IdleCloser extends ChannelInboundHandlerAdapter {

  static final IdleCloser INSTANCE = new IdleCloser();

  private static final Logger LOG = LoggerFactory.getLogger(IdleCloser.class);

  private IdleCloser() {}

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof IdleStateEvent) {
      LOG.debug(
          "[{}] Closed the idle connection with {}",
          ctx.channel().id().asShortText(),
          ctx.channel().remoteAddress());
      ctx.close();
      return;
    }
    super.userEventTriggered(ctx, evt);
  }
}
