package io.parlance.protocol.codec;

import com.fasterxml.jackson.databind.ObjectReader;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;
import io.parlance.protocol.json.WireJson;
import io.parlance.protocol.wire.ChatLine;
import java.util.List;

/**
 * Turns one framed line (from {@link LineFrameDecoder}) into a {@link ChatLine}, rejecting invalid
 * UTF-8, malformed JSON and invalid fields with a {@link io.parlance.protocol.ProtocolException}.
 */
@Sharable
public final class ChatLineDecoder extends MessageToMessageDecoder<ByteBuf> {

  /** The shared instance. */
  public static final ChatLineDecoder INSTANCE = new ChatLineDecoder();

  private static final ObjectReader READER = WireJson.mapper().readerFor(ChatLine.class);

  private ChatLineDecoder() {}

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf line, List<Object> out) {
    out.add(WireJson.<ChatLine>read(line, READER));
  }
}
