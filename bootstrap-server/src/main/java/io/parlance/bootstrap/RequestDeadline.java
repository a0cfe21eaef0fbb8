package io.parlance.bootstrap;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import io.parlance.protocol.LogLimiter;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes a connection whose WebSocket handshake is not done within the request timeout of its
 * accept, however slowly it keeps sending: the deadline covers the TLS handshake, the HTTP request
 * headers and the upgrade. A plain HTTP request ({@code /healthz}) is answered and closed well
 * before. One instance per connection.
 */
final class RequestDeadline extends ChannelInboundHandlerAdapter {

  private static final Logger LOG = LoggerFactory.getLogger(RequestDeadline.class);
  private static final LogLimiter TIMEOUTS = new LogLimiter();

  private final Duration timeout;
  private final ServerMetrics metrics;
  private ScheduledFuture<?> timer;

  RequestDeadline(Duration timeout, ServerMetrics metrics) {
    this.timeout = timeout;
    this.metrics = metrics;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    timer = ctx.executor().schedule(() -> expire(ctx), timeout.toNanos(), TimeUnit.NANOSECONDS);
    ctx.fireChannelActive();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (timer != null) {
      timer.cancel(false);
    }
    ctx.fireChannelInactive();
  }

  private void expire(ChannelHandlerContext ctx) {
    if (Boolean.TRUE.equals(ctx.channel().attr(ServerState.WEBSOCKET_OPEN).get())) {
      ctx.pipeline().remove(this);
      return;
    }
    if (!ctx.channel().isActive()) {
      return;
    }
    metrics.requestTimeoutClosed.increment();
    TIMEOUTS.log(
        more ->
            LOG.info(
                "[id: 0x{}] Closed a connection from {}: no complete request in {} ms{}",
                ctx.channel().id().asShortText(),
                ctx.channel().remoteAddress(),
                timeout.toMillis(),
                more));
    ctx.close();
  }
}
