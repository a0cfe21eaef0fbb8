package io.parlance.protocol.codec;

import com.fasterxml.jackson.databind.ObjectReader;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;
import io.parlance.protocol.json.WireJson;
import io.parlance.protocol.wire.PeerLine;
import java.util.List;

/**
 * Turns one framed line (from {@link LineFrameDecoder}) into a {@link PeerLine}: a plain {@link
 * io.parlance.protocol.wire.ChatLine} when it has no {@code type}, or a typed extension line such
 * as an {@link io.parlance.protocol.wire.Ack}. Bad lines raise a {@link
 * io.parlance.protocol.ProtocolException}.
 */
@Sharable
public final class PeerLineDecoder extends MessageToMessageDecoder<ByteBuf> {

  /** The shared instance. */
  public static final PeerLineDecoder INSTANCE = new PeerLineDecoder();

  private static final ObjectReader READER = WireJson.mapper().readerFor(PeerLine.class);

  private PeerLineDecoder() {}

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf line, List<Object> out) {
    out.add(WireJson.<PeerLine>read(line, READER));
  }
}
