package io.parlance.protocol.bootstrap;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.util.List;

/**
 * Turns each WebSocket text frame into a {@link ClientFrame} or {@link RustClientFrame} (on the
 * server) or a {@link ServerFrame} or {@link RustServerFrame} (on a peer), whichever dialect reads
 * it; a bad frame raises a {@link io.parlance.protocol.ProtocolException} and the channel keeps
 * serving. Other WebSocket frames pass through untouched.
 */
@Sharable
public final class BootstrapFrameDecoder extends MessageToMessageDecoder<TextWebSocketFrame> {

  /**
   * The server's decoder of client frames, up to {@link BootstrapProtocol#MAX_CLIENT_FRAME_BYTES}.
   */
  public static final BootstrapFrameDecoder CLIENT_FRAMES =
      new BootstrapFrameDecoder(true, BootstrapProtocol.MAX_CLIENT_FRAME_BYTES);

  /** A peer's decoder of server frames, up to {@link BootstrapProtocol#MAX_SERVER_FRAME_BYTES}. */
  public static final BootstrapFrameDecoder SERVER_FRAMES =
      new BootstrapFrameDecoder(false, BootstrapProtocol.MAX_SERVER_FRAME_BYTES);

  private final boolean clientFrames;
  private final int maxBytes;

  private BootstrapFrameDecoder(boolean clientFrames, int maxBytes) {
    super(TextWebSocketFrame.class);
    this.clientFrames = clientFrames;
    this.maxBytes = maxBytes;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, TextWebSocketFrame frame, List<Object> out) {
    out.add(
        clientFrames
            ? BootstrapCodec.readAnyClientFrame(frame.content(), maxBytes)
            : BootstrapCodec.readAnyServerFrame(frame.content(), maxBytes));
  }
}
