package io.parlance.bootstrap;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps connections honest: after half of {@code --dead-after} without a read it sends a WebSocket
 * ping; after the whole of it, still without a read (no pong, no frame), it closes the connection,
 * and the registry handler announces the peer's departure. A connection that has not finished its
 * WebSocket handshake by the first silence is closed.
 */
@Sharable
final class HeartbeatHandler extends ChannelInboundHandlerAdapter {

  private static final Logger LOG = LoggerFactory.getLogger(HeartbeatHandler.class);

  private final ServerMetrics metrics;

  HeartbeatHandler(ServerMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (!(evt instanceof IdleStateEvent idle) || idle.state() != IdleState.READER_IDLE) {
      super.userEventTriggered(ctx, evt);
      return;
    }
    boolean open = Boolean.TRUE.equals(ctx.channel().attr(ServerState.WEBSOCKET_OPEN).get());
    if (open && idle.isFirst()) {
      ctx.writeAndFlush(new PingWebSocketFrame());
      return;
    }
    LOG.debug("[id: 0x{}] Closing a silent connection", ctx.channel().id().asShortText());
    metrics.deadConnectionsClosed.increment();
    ctx.close();
  }
}
