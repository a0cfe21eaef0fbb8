package io.parlance.client.messaging;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.parlance.protocol.LogLimiter;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes a connection that sends more lines in one second than the limit allows, so one flooding
 * peer cannot starve the others. Counts framed lines in fixed one-second windows. One per channel.
 */
public final class FloodGuard extends ChannelInboundHandlerAdapter {

  private static final Logger LOG = LoggerFactory.getLogger(FloodGuard.class);
  private static final LogLimiter FLOODS = new LogLimiter();
  private static final long WINDOW_NANOS = 1_000_000_000L;

  private final int maxLinesPerSecond;
  private final LongSupplier nanoClock;
  private long windowStart;
  private int linesInWindow;
  private boolean tripped;

  /**
   * Creates a guard on the system clock.
   *
   * @param maxLinesPerSecond the most lines accepted in one second
   */
  public FloodGuard(int maxLinesPerSecond) {
    this(maxLinesPerSecond, System::nanoTime);
  }

  /**
   * Creates a guard on the given clock.
   *
   * @param maxLinesPerSecond the most lines accepted in one second
   * @param nanoClock a monotonic clock in nanoseconds
   */
  public FloodGuard(int maxLinesPerSecond, LongSupplier nanoClock) {
    if (maxLinesPerSecond < 1) {
      throw new IllegalArgumentException(
          "maxLinesPerSecond must be positive: " + maxLinesPerSecond);
    }
    this.maxLinesPerSecond = maxLinesPerSecond;
    this.nanoClock = nanoClock;
    this.windowStart = nanoClock.getAsLong();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (tripped) {
      ReferenceCountUtil.release(msg);
      return;
    }
    long now = nanoClock.getAsLong();
    if (now - windowStart >= WINDOW_NANOS) {
      windowStart = now;
      linesInWindow = 0;
    }
    if (++linesInWindow > maxLinesPerSecond) {
      tripped = true;
      ReferenceCountUtil.release(msg);
      FLOODS.log(
          more ->
              LOG.warn(
                  "[{}] Closed the connection from {}: more than {} lines in one second{}",
                  ctx.channel().id().asShortText(),
                  ctx.channel().remoteAddress(),
                  maxLinesPerSecond,
                  more));
      ctx.close();
      return;
    }
    ctx.fireChannelRead(msg);
  }
}
