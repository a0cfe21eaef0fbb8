package io.parlance.client.messaging;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.parlance.protocol.LogLimiter;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the number of open inbound connections of one server at or below a limit, closing each
 * connection over it as soon as it is accepted. One shared instance per server.
 */
@Sharable
public final class ConnectionLimitHandler extends ChannelInboundHandlerAdapter {

  private static final Logger LOG = LoggerFactory.getLogger(ConnectionLimitHandler.class);
  private static final LogLimiter REFUSALS = new LogLimiter();

  private final int maxConnections;
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicLong accepted = new AtomicLong();
  private final AtomicLong rejected = new AtomicLong();

  /**
   * Creates the handler.
   *
   * @param maxConnections the most connections open at once
   */
  public ConnectionLimitHandler(int maxConnections) {
    if (maxConnections < 1) {
      throw new IllegalArgumentException("maxConnections must be positive: " + maxConnections);
    }
    this.maxConnections = maxConnections;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    if (open.incrementAndGet() > maxConnections) {
      open.decrementAndGet();
      rejected.incrementAndGet();
      REFUSALS.log(
          more ->
              LOG.warn(
                  "[{}] Closed a connection from {}: over the limit of {} open connections{}",
                  ctx.channel().id().asShortText(),
                  ctx.channel().remoteAddress(),
                  maxConnections,
                  more));
      ctx.close();
      return;
    }
    accepted.incrementAndGet();
    ctx.channel().closeFuture().addListener(f -> open.decrementAndGet());
    super.channelActive(ctx);
  }

  /**
   * Returns how many connections are open.
   *
   * @return the count
   */
  public int open() {
    return open.get();
  }

  /**
   * Returns how many connections were accepted since the start.
   *
   * @return the count
   */
  public long accepted() {
    return accepted.get();
  }

  /**
   * Returns how many connections were closed for being over the limit.
   *
   * @return the count
   */
  public long rejected() {
    return rejected.get();
  }
}
