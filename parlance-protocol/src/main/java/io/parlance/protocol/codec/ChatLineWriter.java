package io.parlance.protocol.codec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.ByteBufUtil;
import io.parlance.protocol.ProtocolError;
import io.parlance.protocol.ProtocolException;
import io.parlance.protocol.json.WireJson;
import io.parlance.protocol.wire.ChatLine;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes a {@link ChatLine} as compact JSON straight into a buffer, byte for byte as the shared
 * object mapper (and serde_json) writes it: fields in the order from, content, timestamp, id;
 * {@code "} and {@code \} escaped, control characters as {@code \b \t \n \f \r} or backslash-u and
 * four lower-case hex digits; everything else, DEL and U+2028 included, as raw UTF-8, a surrogate
 * pair as one four-byte sequence.
 *
 * <p>Every message sent passes here, so the usual text costs one scan and one UTF-8 copy, with no
 * generator, no recycled buffers and no intermediate array. A string holding an unpaired surrogate
 * (which only an {@code id} can) is left to Jackson's generator, so such input keeps the mapper's
 * behaviour too.
 */
final class ChatLineWriter {

  private static final JsonFactory FACTORY = WireJson.mapper().getFactory();
  private static final byte[] FROM = ascii("{\"from\":");
  private static final byte[] CONTENT = ascii(",\"content\":");
  private static final byte[] TIMESTAMP = ascii(",\"timestamp\":");
  private static final byte[] ID = ascii(",\"id\":");
  private static final byte[] HEX = ascii("0123456789abcdef");

  private ChatLineWriter() {}

  /**
   * Returns roughly how many bytes the line takes, to size the buffer: exact for ASCII text.
   *
   * @param line the line
   * @return the estimate
   */
  static int estimatedBytes(ChatLine line) {
    int text = line.from().length() + line.content().length();
    if (line.id() != null) {
      text += line.id().length() + ID.length + 2;
    }
    return text + FROM.length + CONTENT.length + TIMESTAMP.length + 4 + 20 + 1;
  }

  /**
   * Writes the line at the buffer's writer index.
   *
   * @param out where to write
   * @param line the line
   * @throws ProtocolException of kind {@link ProtocolError#UNENCODABLE} if it cannot be written;
   *     the buffer is then as before
   */
  static void write(ByteBuf out, ChatLine line) {
    int start = out.writerIndex();
    out.writeBytes(FROM);
    boolean done = writeString(out, line.from());
    out.writeBytes(CONTENT);
    done &= writeString(out, line.content());
    out.writeBytes(TIMESTAMP);
    ByteBufUtil.writeAscii(out, Long.toString(line.timestamp()));
    if (line.id() != null) {
      out.writeBytes(ID);
      done &= writeString(out, line.id());
    }
    out.writeByte('}');
    if (!done) {
      out.writerIndex(start);
      writeWithGenerator(out, line);
    }
  }

  /**
   * Writes a JSON string; returns false, having written something, if the text holds an unpaired
   * surrogate.
   */
  private static boolean writeString(ByteBuf out, String s) {
    out.writeByte('"');
    int n = s.length();
    int plainFrom = 0;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c == '"' || c == '\\') {
        if (i > plainFrom) {
          ByteBufUtil.writeUtf8(out, s, plainFrom, i);
        }
        writeEscape(out, c);
        plainFrom = i + 1;
      } else if (Character.isSurrogate(c)) {
        if (!Character.isHighSurrogate(c)
            || i + 1 == n
            || !Character.isLowSurrogate(s.charAt(i + 1))) {
          return false;
        }
        i++;
      }
    }
    if (plainFrom < n) {
      ByteBufUtil.writeUtf8(out, s, plainFrom, n);
    }
    out.writeByte('"');
    return true;
  }

  private static void writeEscape(ByteBuf out, char c) {
    out.writeByte('\\');
    switch (c) {
      case '"', '\\' -> out.writeByte(c);
      case '\b' -> out.writeByte('b');
      case '\t' -> out.writeByte('t');
      case '\n' -> out.writeByte('n');
      case '\f' -> out.writeByte('f');
      case '\r' -> out.writeByte('r');
      default -> {
        out.writeByte('u').writeByte('0').writeByte('0');
        out.writeByte(HEX[c >> 4]).writeByte(HEX[c & 0xF]);
      }
    }
  }

  private static void writeWithGenerator(ByteBuf out, ChatLine line) {
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

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
