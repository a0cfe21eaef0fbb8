package io.parlance.protocol.bootstrap;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import java.util.List;

/** Writes each {@link BootstrapFrame} as one WebSocket text frame of compact JSON. */
@Sharable
public final class BootstrapFrameEncoder extends MessageToMessageEncoder<BootstrapFrame> {

  /** The shared instance. */
  public static final BootstrapFrameEncoder INSTANCE = new BootstrapFrameEncoder();

  private BootstrapFrameEncoder() {
    super(BootstrapFrame.class);
  }

  @Override
  protected void encode(ChannelHandlerContext ctx, BootstrapFrame frame, List<Object> out) {
    out.add(BootstrapCodec.toTextFrame(ctx.alloc(), frame));
  }
}
