package io.parlance.protocol.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteConstraints;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.util.concurrent.FastThreadLocal;
import io.parlance.protocol.ProtocolError;
import io.parlance.protocol.ProtocolException;
import java.io.IOException;
import java.util.stream.Collectors;

/**
 * The single JSON configuration behind every Parlance codec: bounded on read, strict about types,
 * tolerant of unknown fields, and writing compact JSON byte-for-byte as Rust's serde_json does.
 *
 * <p>All reads go through {@link #read(ByteBuf, Class)}, which turns every Jackson failure into a
 * {@link ProtocolException} whose {@link ProtocolError kind} says what was wrong.
 */
public final class WireJson {

  /** Deepest nesting of objects and arrays accepted on read. */
  public static final int MAX_NESTING_DEPTH = 16;

  /** Longest number accepted on read, in characters. */
  public static final int MAX_NUMBER_LENGTH = 32;

  /**
   * Longest string value accepted on read, in characters: as long as the longest line ({@link
   * io.parlance.protocol.Protocol#MAX_LINE_BYTES}) can carry.
   */
  public static final int MAX_STRING_LENGTH = 1024 * 1024;

  /** Longest field name accepted on read, in characters. */
  public static final int MAX_NAME_LENGTH = 256;

  /** Longest document accepted on read, in bytes. */
  public static final long MAX_DOCUMENT_LENGTH = 1024 * 1024;

  private static final ObjectMapper MAPPER = buildMapper();

  /** Largest scratch array a thread keeps for copying lines out of direct buffers. */
  private static final int MAX_SCRATCH_BYTES = 64 * 1024;

  private static final FastThreadLocal<byte[]> SCRATCH =
      new FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
          return new byte[1024];
        }
      };

  private WireJson() {}

  /**
   * Returns the shared mapper, for codecs that need a reader or writer of their own types.
   *
   * @return the configured mapper; do not reconfigure it
   */
  public static ObjectMapper mapper() {
    return MAPPER;
  }

  private static ObjectMapper buildMapper() {
    JsonFactory factory =
        new JsonFactoryBuilder()
            .streamReadConstraints(
                StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_NESTING_DEPTH)
                    .maxNumberLength(MAX_NUMBER_LENGTH)
                    .maxStringLength(MAX_STRING_LENGTH)
                    .maxNameLength(MAX_NAME_LENGTH)
                    .maxDocumentLength(MAX_DOCUMENT_LENGTH)
                    .build())
            .streamWriteConstraints(
                StreamWriteConstraints.builder().maxNestingDepth(MAX_NESTING_DEPTH).build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            // As serde_json writes: emoji as raw 4-byte UTF-8, not escaped surrogates, and
            // control characters as backslash-u escapes with lower-case hex.
            .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8)
            .disable(JsonWriteFeature.WRITE_HEX_UPPER_CASE)
            .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
            .build();
    JsonMapper mapper =
        JsonMapper.builder(factory)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .disable(SerializationFeature.INDENT_OUTPUT)
            .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)
            .build();
    // No silent coercion on read: "tcp_port":"80" and "nickname":42 are wrong types.
    mapper
        .coercionConfigFor(LogicalType.Textual)
        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
    mapper
        .coercionConfigFor(LogicalType.Integer)
        .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
    return mapper;
  }

  /**
   * Reads one JSON object of the given type from the readable bytes of a buffer, which it does not
   * consume or release.
   *
   * @param buf the bytes, which must be valid UTF-8 holding exactly one JSON value
   * @param type the type to read
   * @param <T> the type to read
   * @return the value
   * @throws ProtocolException saying what was wrong with the bytes
   */
  public static <T> T read(ByteBuf buf, Class<T> type) {
    return read(buf, MAPPER.readerFor(type));
  }

  /**
   * Reads one JSON value with the given reader (made from {@link #mapper()}) from the readable
   * bytes of a buffer, which it does not consume or release.
   *
   * @param buf the bytes, which must be valid UTF-8 holding exactly one JSON value
   * @param reader the reader for the expected type
   * @param <T> the type to read
   * @return the value
   * @throws ProtocolException saying what was wrong with the bytes
   */
  public static <T> T read(ByteBuf buf, ObjectReader reader) {
    int length = buf.readableBytes();
    byte[] bytes;
    int offset;
    if (buf.hasArray()) {
      bytes = buf.array();
      offset = buf.arrayOffset() + buf.readerIndex();
    } else {
      // A line from a socket is in a direct buffer: copy it to this thread's scratch array
      // rather than to a new one. Jackson reads the array and keeps nothing of it.
      bytes = scratch(length);
      offset = 0;
      buf.getBytes(buf.readerIndex(), bytes, 0, length);
    }
    if (!Utf8.isValid(bytes, offset, length)) {
      throw new ProtocolException(ProtocolError.INVALID_UTF8, "input is not valid UTF-8");
    }
    int first = offset;
    int end = offset + length;
    while (first < end && isJsonWhitespace(bytes[first])) {
      first++;
    }
    if (first == end) {
      throw new ProtocolException(ProtocolError.MALFORMED_JSON, "the input is empty");
    }
    if (bytes[first] != '{') {
      throw new ProtocolException(
          ProtocolError.MALFORMED_JSON, "malformed JSON: expected a JSON object");
    }
    try {
      return reader.readValue(bytes, offset, length);
    } catch (IOException e) {
      throw translate(e);
    }
  }

  private static boolean isJsonWhitespace(byte b) {
    return b == ' ' || b == '\t' || b == '\n' || b == '\r';
  }

  /** An array of at least the length: this thread's (kept up to 64 KiB), or a new one. */
  private static byte[] scratch(int length) {
    if (length > MAX_SCRATCH_BYTES) {
      return new byte[length];
    }
    byte[] bytes = SCRATCH.get();
    if (bytes.length < length) {
      bytes = new byte[Math.max(length, Math.min(2 * bytes.length, MAX_SCRATCH_BYTES))];
      SCRATCH.set(bytes);
    }
    return bytes;
  }

  /**
   * Writes a value as compact JSON at the buffer's writer index.
   *
   * @param buf where to write
   * @param value what to write
   * @throws ProtocolException of kind {@link ProtocolError#UNENCODABLE} if it cannot be written
   */
  public static void write(ByteBuf buf, Object value) {
    write(buf, MAPPER.writer(), value);
  }

  /**
   * Writes a value as compact JSON with the given writer (made from {@link #mapper()}).
   *
   * @param buf where to write
   * @param writer the writer
   * @param value what to write
   * @throws ProtocolException of kind {@link ProtocolError#UNENCODABLE} if it cannot be written
   */
  public static void write(ByteBuf buf, ObjectWriter writer, Object value) {
    int start = buf.writerIndex();
    try (ByteBufOutputStream out = new ByteBufOutputStream(buf)) {
      writer.writeValue((java.io.OutputStream) out, value);
    } catch (IOException | IllegalArgumentException e) {
      buf.writerIndex(start);
      throw new ProtocolException(
          ProtocolError.UNENCODABLE,
          "cannot encode " + value.getClass().getSimpleName() + ": " + rootMessage(e),
          e);
    }
  }

  /**
   * Encodes a value as compact JSON bytes.
   *
   * @param value what to encode
   * @return the UTF-8 bytes
   * @throws ProtocolException of kind {@link ProtocolError#UNENCODABLE} if it cannot be written
   */
  public static byte[] toBytes(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new ProtocolException(
          ProtocolError.UNENCODABLE,
          "cannot encode " + value.getClass().getSimpleName() + ": " + rootMessage(e),
          e);
    }
  }

  private static ProtocolException translate(IOException e) {
    if (e instanceof ValueInstantiationException && e.getCause() instanceof ProtocolException p) {
      return p;
    }
    if (e instanceof StreamConstraintsException) {
      return new ProtocolException(ProtocolError.LIMIT_EXCEEDED, rootMessage(e), e);
    }
    if (e instanceof InvalidTypeIdException t) {
      return t.getTypeId() == null
          ? new ProtocolException(ProtocolError.MISSING_TYPE, "the 'type' field is missing", e)
          : new ProtocolException(
              ProtocolError.UNKNOWN_TYPE, "unknown type '" + t.getTypeId() + "'", e);
    }
    if (e instanceof InputCoercionException
        || e instanceof JsonMappingException && e.getCause() instanceof InputCoercionException) {
      String field = e instanceof JsonMappingException m ? fieldPath(m) : "";
      String where = field.isEmpty() ? "" : "field '" + field + "': ";
      return new ProtocolException(ProtocolError.WRONG_FIELD_TYPE, where + rootMessage(e), e);
    }
    if (e instanceof MismatchedInputException m) {
      String field = fieldPath(m);
      String message = m.getOriginalMessage();
      if (message.startsWith("Trailing token")) {
        return new ProtocolException(
            ProtocolError.TRAILING_DATA, "more than one JSON value in the input", e);
      }
      if (message.startsWith("Missing required creator property")) {
        return new ProtocolException(
            ProtocolError.MISSING_FIELD, "required field '" + field + "' is missing", e);
      }
      if (message.startsWith("No content to map")) {
        return new ProtocolException(ProtocolError.MALFORMED_JSON, "the input is empty", e);
      }
      if (field.isEmpty()) {
        return new ProtocolException(ProtocolError.MALFORMED_JSON, "expected a JSON object", e);
      }
      if (message.contains("null")) {
        return new ProtocolException(
            ProtocolError.MISSING_FIELD, "field '" + field + "' is null", e);
      }
      return new ProtocolException(
          ProtocolError.WRONG_FIELD_TYPE, "field '" + field + "' has the wrong type", e);
    }
    if (e instanceof JsonParseException) {
      return new ProtocolException(
          ProtocolError.MALFORMED_JSON, "malformed JSON: " + rootMessage(e), e);
    }
    return new ProtocolException(ProtocolError.MALFORMED_JSON, rootMessage(e), e);
  }

  private static String fieldPath(JsonMappingException e) {
    return e.getPath().stream()
        .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
        .collect(Collectors.joining("."));
  }

  private static String rootMessage(Throwable e) {
    String message =
        e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
    if (message == null) {
      return e.getClass().getSimpleName();
    }
    // Jackson appends a long "(for input ...)" hint on some limit errors; keep the first line.
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
