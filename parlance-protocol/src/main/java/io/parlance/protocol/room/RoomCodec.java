package io.parlance.protocol.room;

import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.parlance.protocol.ProtocolError;
import io.parlance.protocol.ProtocolException;
import io.parlance.protocol.json.WireJson;
import java.nio.charset.StandardCharsets;

/**
 * Reads and writes {@link RoomLine}s as compact JSON text, through the shared bounded mapper: a
 * line longer than {@link #MAX_BYTES}, malformed JSON, an unknown {@code type} or a field out of
 * bounds is a {@link ProtocolException}.
 */
public final class RoomCodec {

  /** Longest room line, in bytes of UTF-8. */
  public static final int MAX_BYTES = 768 * 1024;

  private static final ObjectReader READER = WireJson.mapper().readerFor(RoomLine.class);
  private static final ObjectWriter WRITER = WireJson.mapper().writerFor(RoomLine.class);

  private RoomCodec() {}

  /**
   * Writes a line.
   *
   * @param line the line
   * @return its JSON text
   * @throws ProtocolException of kind {@link ProtocolError#LIMIT_EXCEEDED} if it is too long
   */
  public static String write(RoomLine line) {
    String json;
    try {
      json = WRITER.writeValueAsString(line);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new ProtocolException(
          ProtocolError.UNENCODABLE, "cannot encode a room line: " + e.getOriginalMessage(), e);
    }
    if (json.length() > MAX_BYTES / 3 && utf8Length(json) > MAX_BYTES) {
      throw new ProtocolException(
          ProtocolError.LIMIT_EXCEEDED, "a room line is longer than " + MAX_BYTES + " bytes");
    }
    return json;
  }

  /**
   * Reads a line.
   *
   * @param json the JSON text
   * @return the line
   * @throws ProtocolException if it is too long, malformed, of an unknown type or out of bounds
   */
  public static RoomLine read(String json) {
    if (json.length() > MAX_BYTES || utf8Length(json) > MAX_BYTES) {
      throw new ProtocolException(
          ProtocolError.LIMIT_EXCEEDED, "a room line is longer than " + MAX_BYTES + " bytes");
    }
    ByteBuf buf = Unpooled.wrappedBuffer(json.getBytes(StandardCharsets.UTF_8));
    try {
      return WireJson.read(buf, READER);
    } finally {
      buf.release();
    }
  }

  /**
   * Reads a stored room value (a state or a message) through the same bounded mapper.
   *
   * @param json the JSON text
   * @param type {@link RoomState} or {@link RoomMessage}
   * @param <T> the type
   * @return the value
   * @throws ProtocolException if it is not valid
   */
  public static <T> T readValue(String json, Class<T> type) {
    if (json.length() > MAX_BYTES) {
      throw new ProtocolException(
          ProtocolError.LIMIT_EXCEEDED, "a room value is longer than " + MAX_BYTES + " bytes");
    }
    ByteBuf buf = Unpooled.wrappedBuffer(json.getBytes(StandardCharsets.UTF_8));
    try {
      return WireJson.read(buf, type);
    } finally {
      buf.release();
    }
  }

  private static long utf8Length(String s) {
    long n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      n += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
    }
    return n;
  }
}
