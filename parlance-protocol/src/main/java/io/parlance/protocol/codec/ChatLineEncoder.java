package io.parlance.protocol.codec;

import com.fasterxml.jackson.databind.ObjectWriter;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;
import io.parlance.protocol.json.WireJson;
import io.parlance.protocol.wire.ChatLine;

/**
 * Writes a {@link ChatLine} as one line of compact JSON followed by {@code \n}, byte-identical to
 * the Rust Parlance.
 */
@Sharable
public final class ChatLineEncoder extends MessageToByteEncoder<ChatLine> {

  /** The shared instance. */
  public static final ChatLineEncoder INSTANCE = new ChatLineEncoder();

  private static final ObjectWriter WRITER = WireJson.mapper().writerFor(ChatLine.class);

  private ChatLineEncoder() {}

  @Override
  protected void encode(ChannelHandlerContext ctx, ChatLine line, ByteBuf out) {
    WireJson.write(out, WRITER, line);
    out.writeByte('\n');
  }
}
