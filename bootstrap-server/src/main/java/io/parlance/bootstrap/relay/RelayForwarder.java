package io.parlance.bootstrap.relay;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import io.parlance.protocol.bootstrap.BootstrapProtocol;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One direction of a relayed session: forwards the binary frames this side sends to the other side,
 * unread, and stops reading this side while the other side's channel is unwritable or this
 * direction is over its byte rate, so a slow reader slows the writer and nothing queues without
 * bound. Closes the session when it carried nothing either way for the idle timeout, or when this
 * side sends anything but binary frames.
 */
final class RelayForwarder extends ChannelInboundHandlerAdapter {

  private final RelayBroker broker;
  private final RelayLimits limits;
  private final Channel self;
  private final Channel other;
  private final ByteRate rate;
  private volatile long lastActivity = System.nanoTime();
  private RelayForwarder partner;
  private boolean ratePaused;
  private ScheduledFuture<?> idleCheck;

  RelayForwarder(RelayBroker broker, RelayLimits limits, Channel self, Channel other) {
    this.broker = broker;
    this.limits = limits;
    this.self = self;
    this.other = other;
    this.rate = new ByteRate(limits.bytesPerSecondPerSession(), System::nanoTime);
  }

  /** Ties the two directions of a session, so idleness counts both. */
  static void pair(RelayForwarder a, RelayForwarder b) {
    a.partner = b;
    b.partner = a;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    long every = Math.max(50, limits.idleTimeout().toMillis() / 4);
    idleCheck =
        ctx.executor().scheduleAtFixedRate(this::checkIdle, every, every, TimeUnit.MILLISECONDS);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    if (idleCheck != null) {
      idleCheck.cancel(false);
    }
  }

  private void checkIdle() {
    long last = Math.max(lastActivity, partner == null ? 0 : partner.lastActivity);
    if (System.nanoTime() - last > limits.idleTimeout().toNanos()) {
      RelayBroker.closeWith(self, BootstrapProtocol.CLOSE_NORMAL, "relayed session idle");
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof BinaryWebSocketFrame frame)) {
      ReferenceCountUtil.release(msg);
      RelayBroker.closeWith(
          self,
          BootstrapProtocol.CLOSE_POLICY_VIOLATION,
          "a relayed session carries binary frames");
      return;
    }
    int size = frame.content().readableBytes();
    lastActivity = System.nanoTime();
    broker.relayed(size);
    other.writeAndFlush(frame.retainedDuplicate(), other.voidPromise());
    frame.release();
    long pause = rate.take(size);
    if (pause > 0 && !ratePaused) {
      ratePaused = true;
      self.config().setAutoRead(false);
      ctx.executor()
          .schedule(
              () -> {
                ratePaused = false;
                resumeIfWritable();
              },
              pause,
              TimeUnit.NANOSECONDS);
    }
    if (!other.isWritable()) {
      self.config().setAutoRead(false);
      // The other side may have drained meanwhile, on its own loop: look again.
      if (other.isWritable()) {
        resumeIfWritable();
      }
    }
  }

  /** Reads this side again unless the rate or the other side still holds it back. */
  void resumeIfWritable() {
    self.eventLoop()
        .execute(
            () -> {
              if (!ratePaused && other.isWritable() && self.isActive()) {
                self.config().setAutoRead(true);
              }
            });
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
    // This side drained: the other side may send again.
    if (self.isWritable() && partner != null) {
      partner.resumeIfWritable();
    }
    super.channelWritabilityChanged(ctx);
  }
}
