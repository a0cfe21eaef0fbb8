package io.parlance.protocol.wire;

import io.parlance.protocol.ProtocolError;
import io.parlance.protocol.ProtocolException;
import java.util.List;

/** Bounds on the optional extension fields our peers add to plain messages. */
final class Extensions {

  /** Longest extension string field (ids, keys, signatures), in characters. */
  static final int MAX_FIELD_LENGTH = 256;

  /** Most capabilities an announce may list. */
  static final int MAX_CAPS = 16;

  /** Longest capability name. */
  static final int MAX_CAP_LENGTH = 32;

  private Extensions() {}

  static void requireBounded(String field, String value) {
    if (value != null && value.length() > MAX_FIELD_LENGTH) {
      throw new ProtocolException(
          ProtocolError.LIMIT_EXCEEDED,
          "field '" + field + "' is longer than " + MAX_FIELD_LENGTH + " characters");
    }
  }

  static List<String> requireBoundedCaps(List<String> caps) {
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
    }
    return List.copyOf(caps);
  }
}
