package io.parlance.protocol.codec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;
import io.parlance.protocol.ProtocolError;
import io.parlance.protocol.ProtocolException;
import io.parlance.protocol.json.WireJson;
import io.parlance.protocol.wire.ChatLine;
import io.parlance.protocol.wire.PeerLine;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Writes a {@link PeerLine} as one line of compact JSON followed by {@code \n}; a plain chat line
 * comes out byte-identical to the Rust Parlance's.
 *
 * <p>A chat line, the line of every message, is written field by field with the shared JSON
 * factory's streaming generator straight into the outgoing buffer: the same bytes the object mapper
 * writes, without its per-call serializer context. Other lines go through the mapper.
 */
@Sharable
public final class PeerLineEncoder extends MessageToByteEncoder<PeerLine> {

  /** The shared instance. */
  public static final PeerLineEncoder INSTANCE = new PeerLineEncoder();

  private static final ObjectWriter WRITER = WireJson.mapper().writerFor(PeerLine.class);
  private static final JsonFactory FACTORY = WireJson.mapper().getFactory();

  private PeerLineEncoder() {}

  @Override
  protected void encode(ChannelHandlerContext ctx, PeerLine line, ByteBuf out) {
    if (line instanceof ChatLine chat) {
      writeChatLine(out, chat);
    } else {
      WireJson.write(out, WRITER, line);
    }
    out.writeByte('\n');
  }

  /**
   * Writes a chat line as compact JSON at the buffer's writer index, in the field order and with
   * the escaping of {@link WireJson#write(ByteBuf, Object)}.
   *
   * @param out where to write
   * @param line the line
   * @throws ProtocolException of kind {@link ProtocolError#UNENCODABLE} if it cannot be written;
   *     the buffer is then as before
   */
  static void writeChatLine(ByteBuf out, ChatLine line) {
    int start = out.writerIndex();
    try (JsonGenerator json =
        FACTORY.createGenerator((OutputStream) new ByteBufOutputStream(out))) {
      json.writeStartObject();
      json.writeStringField("from", line.from());
      json.writeStringField("content", line.content());
      json.writeNumberField("timestamp", line.timestamp());
      if (line.id() != null) {
        json.writeStringField("id", line.id());
      }
      json.writeEndObject();
    } catch (IOException | RuntimeException e) {
      out.writerIndex(start);
      throw new ProtocolException(
          ProtocolError.UNENCODABLE, "cannot encode ChatLine: " + e.getMessage(), e);
    }
  }
}
