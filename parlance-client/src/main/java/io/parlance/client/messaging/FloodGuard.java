package io.parlance.client.messaging;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.Future;
import io.parlance.protocol.LogLimiter;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds a connection to its rate of lines by backpressure: a connection may send a second's worth
 * of lines at once and then as many a second as the limit allows; past that, reading it pauses
 * until it is back within its rate. A fast, well-behaved peer is slowed to the rate, not cut off
 * (what it has not yet sent waits in its own socket buffers, held back by TCP's flow control); a
 * flooding one gets no more of the event loop than its rate, and no memory beyond one read, so it
 * cannot starve the others. Lines already read when the connection goes over its rate are passed on
 * and counted against the time that follows (a token bucket that may go into debt by one read). One
 * per channel.
 */
public final class FloodGuard extends ChannelInboundHandlerAdapter {

  private static final Logger LOG = LoggerFactory.getLogger(FloodGuard.class);
  private static final LogLimiter SLOWED = new LogLimiter();
  private static final double NANOS_PER_SECOND = 1e9;

  private final int maxLinesPerSecond;
  private final LongSupplier nanoClock;
  private double tokens;
  private long refilledAt;
  private Future<?> resume;
  private long pauses;

  /**
   * Creates a guard on the system clock.
   *
   * @param maxLinesPerSecond the most lines a second, on average
   */
  public FloodGuard(int maxLinesPerSecond) {
    this(maxLinesPerSecond, System::nanoTime);
  }

  /**
   * Creates a guard on the given clock.
   *
   * @param maxLinesPerSecond the most lines a second, on average
   * @param nanoClock a monotonic clock in nanoseconds
   */
  public FloodGuard(int maxLinesPerSecond, LongSupplier nanoClock) {
    if (maxLinesPerSecond < 1) {
      throw new IllegalArgumentException(
          "maxLinesPerSecond must be positive: " + maxLinesPerSecond);
    }
    this.maxLinesPerSecond = maxLinesPerSecond;
    this.nanoClock = nanoClock;
    this.tokens = maxLinesPerSecond;
    this.refilledAt = nanoClock.getAsLong();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    refill();
    tokens -= 1;
    if (tokens < 0 && resume == null) {
      pauses++;
      SLOWED.log(
          more ->
              LOG.info(
                  "[{}] Slowing the connection from {}: more than {} lines a second; reading it"
                      + " pauses until it is back within that rate{}",
                  ctx.channel().id().asShortText(),
                  ctx.channel().remoteAddress(),
                  maxLinesPerSecond,
                  more));
      ReadPauses.pause(ctx.channel(), ReadPauses.RATE);
      scheduleResume(ctx);
    }
    ctx.fireChannelRead(msg);
  }

  /** Schedules the check that resumes reading once the debt is paid. */
  private void scheduleResume(ChannelHandlerContext ctx) {
    long nanos = Math.max(1, (long) Math.ceil(-tokens * NANOS_PER_SECOND / maxLinesPerSecond));
    resume = ctx.executor().schedule(() -> resumeIfWithinRate(ctx), nanos, TimeUnit.NANOSECONDS);
  }

  private void resumeIfWithinRate(ChannelHandlerContext ctx) {
    refill();
    if (tokens < 0) {
      scheduleResume(ctx);
      return;
    }
    resume = null;
    ReadPauses.resume(ctx.channel(), ReadPauses.RATE);
  }

  private void refill() {
    long now = nanoClock.getAsLong();
    long elapsed = now - refilledAt;
    if (elapsed > 0) {
      tokens =
          Math.min(maxLinesPerSecond, tokens + elapsed * (maxLinesPerSecond / NANOS_PER_SECOND));
      refilledAt = now;
    }
  }

  /**
   * Returns how many times this connection went over its rate and had its reading paused.
   *
   * @return the count
   */
  public long pauses() {
    return pauses;
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    if (resume != null) {
      resume.cancel(false);
      resume = null;
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    handlerRemoved(ctx);
    super.channelInactive(ctx);
  }
}
