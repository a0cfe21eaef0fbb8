package io.parlance.protocol.room;

import io.parlance.protocol.ProtocolError;
import io.parlance.protocol.ProtocolException;
import java.util.List;
import java.util.regex.Pattern;

/** The bounds every room line is checked against on read, before any signature is checked. */
public final class RoomLimits {

  /** Most members (current and removed) a room state lists. */
  public static final int MAX_MEMBERS = 256;

  /** Longest room name, in characters. */
  public static final int MAX_NAME = 64;

  /** Longest room message text, in characters. */
  public static final int MAX_TEXT = 16 * 1024;

  /** Most votes a state or a line carries. */
  public static final int MAX_VOTES = MAX_MEMBERS;

  /** Most states in one sync reply. */
  public static final int MAX_STATES_PER_LINE = 8;

  /** Most messages in one sync reply. */
  public static final int MAX_MESSAGES_PER_LINE = 256;

  /** Most bytes of message text in one sync reply (the line stays well under the line limit). */
  public static final int MAX_TEXT_BYTES_PER_LINE = 256 * 1024;

  /** Longest id, key, signature or digest field. */
  public static final int MAX_FIELD = 256;

  private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_=+/-]{1,256}");

  private RoomLimits() {}

  static String token(String field, String value) {
    if (value == null) {
      throw new ProtocolException(ProtocolError.MISSING_FIELD, "field '" + field + "' is missing");
    }
    if (!TOKEN.matcher(value).matches()) {
      throw new ProtocolException(
          ProtocolError.WRONG_FIELD_TYPE,
          "field '" + field + "' must be 1 to 256 letters, digits or base64 characters");
    }
    return value;
  }

  static String optionalToken(String field, String value) {
    return value == null ? null : token(field, value);
  }

  static long nonNegative(String field, long value) {
    if (value < 0) {
      throw new ProtocolException(
          ProtocolError.WRONG_FIELD_TYPE, "field '" + field + "' must not be negative");
    }
    return value;
  }

  static String text(String field, String value, int max) {
    if (value == null) {
      throw new ProtocolException(ProtocolError.MISSING_FIELD, "field '" + field + "' is missing");
    }
    if (value.length() > max) {
      throw new ProtocolException(
          ProtocolError.LIMIT_EXCEEDED,
          "field '" + field + "' is longer than " + max + " characters");
    }
    return value;
  }

  static <T> List<T> list(String field, List<T> value, int max) {
    if (value == null) {
      return List.of();
    }
    if (value.size() > max) {
      throw new ProtocolException(
          ProtocolError.LIMIT_EXCEEDED,
          "field '" + field + "' lists more than " + max + " entries");
    }
    for (T t : value) {
      if (t == null) {
        throw new ProtocolException(
            ProtocolError.WRONG_FIELD_TYPE, "field '" + field + "' holds a null entry");
      }
    }
    return List.copyOf(value);
  }
}
