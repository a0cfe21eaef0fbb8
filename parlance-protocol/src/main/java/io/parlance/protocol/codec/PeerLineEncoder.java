package io.parlance.protocol.codec;

import com.fasterxml.jackson.databind.ObjectWriter;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;
import io.parlance.protocol.json.WireJson;
import io.parlance.protocol.wire.ChatLine;
import io.parlance.protocol.wire.PeerLine;

/**
 * Writes a {@link PeerLine} as one line of compact JSON followed by {@code \n}; a plain chat line
 * comes out byte-identical to the Rust Parlance's.
 *
 * <p>A chat line, the line of every message, is written by {@link ChatLineWriter} straight into an
 * outgoing buffer sized for it; other lines go through the object mapper.
 */
@Sharable
public final class PeerLineEncoder extends MessageToByteEncoder<PeerLine> {

  /** The shared instance. */
  public static final PeerLineEncoder INSTANCE = new PeerLineEncoder();

  private static final ObjectWriter WRITER = WireJson.mapper().writerFor(PeerLine.class);

  private PeerLineEncoder() {}

  @Override
  protected ByteBuf allocateBuffer(ChannelHandlerContext ctx, PeerLine line, boolean preferDirect) {
    int size = line instanceof ChatLine chat ? ChatLineWriter.estimatedBytes(chat) + 1 : 256;
    return preferDirect ? ctx.alloc().ioBuffer(size) : ctx.alloc().heapBuffer(size);
  }

  @Override
  protected void encode(ChannelHandlerContext ctx, PeerLine line, ByteBuf out) {
    if (line instanceof ChatLine chat) {
      ChatLineWriter.write(out, chat);
    } else {
      WireJson.write(out, WRITER, line);
    }
    out.writeByte('\n');
  }
}
