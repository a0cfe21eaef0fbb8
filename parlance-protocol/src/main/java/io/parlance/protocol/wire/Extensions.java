package io.parlance.protocol.wire;

import io.parlance.protocol.ProtocolError;
import io.parlance.protocol.ProtocolException;
import java.util.List;

/**
 * Bounds on the optional extension fields our peers add to plain messages (here and in the
 * bootstrap protocol).
 */
public final class Extensions {

  /** Longest extension string field (ids, keys, signatures), in characters. */
  public static final int MAX_FIELD_LENGTH = 256;

  /** Most capabilities an announce may list. */
  public static final int MAX_CAPS = 16;

  /** Longest capability name. */
  public static final int MAX_CAP_LENGTH = 32;

  private Extensions() {}

  /**
   * Checks the length of an optional extension string field.
   *
   * @param field the wire field, for the error message
   * @param value the value, possibly null
   * @throws ProtocolException of kind {@link ProtocolError#LIMIT_EXCEEDED} if it is too long
   */
  public static void requireBounded(String field, String value) {
    if (value != null && value.length() > MAX_FIELD_LENGTH) {
      throw new ProtocolException(
          ProtocolError.LIMIT_EXCEEDED,
          "field '" + field + "' is longer than " + MAX_FIELD_LENGTH + " characters");
    }
  }

  /**
   * Checks an optional sequence number.
   *
   * @param seq the value, possibly null
   * @throws ProtocolException of kind {@link ProtocolError#WRONG_FIELD_TYPE} if it is negative
   */
  public static void requireSequence(Long seq) {
    if (seq != null && seq < 0) {
      throw new ProtocolException(
          ProtocolError.WRONG_FIELD_TYPE, "field 'seq' must not be negative");
    }
  }

  /**
   * Checks an optional list of capabilities.
   *
   * @param caps the list, possibly null
   * @return an unmodifiable copy, or null if it was null
   * @throws ProtocolException if it has too many entries, or an empty, too long or malformed one
   *     (names are visible ASCII without commas)
   */
  public static List<String> requireBoundedCaps(List<String> caps) {
    if (caps == null) {
      return null;
    }
    if (caps.size() > MAX_CAPS) {
      throw new ProtocolException(
          ProtocolError.LIMIT_EXCEEDED, "field 'caps' lists more than " + MAX_CAPS + " entries");
    }
    for (String cap : caps) {
      if (cap == null || cap.isEmpty() || cap.length() > MAX_CAP_LENGTH) {
        throw new ProtocolException(
            ProtocolError.WRONG_FIELD_TYPE,
            "field 'caps' must hold non-empty names of at most " + MAX_CAP_LENGTH + " characters");
      }
      // Signed payloads join the names with commas, which must stay unambiguous.
      if (!cap.chars().allMatch(c -> c > ' ' && c < 0x7f && c != ',')) {
        throw new ProtocolException(
            ProtocolError.WRONG_FIELD_TYPE,
            "field 'caps' must hold names of visible ASCII characters without commas");
      }
    }
    return List.copyOf(caps);
  }
}
