package io.parlance.protocol.room;

import io.parlance.protocol.ProtocolError;
import io.parlance.protocol.ProtocolException;
import java.security.SecureRandom;
import java.util.regex.Pattern;

/** Room and room-message ids: 128 random bits in lower-case base32, 26 characters. */
public final class RoomIds {

  /** Characters of an id. */
  public static final int LENGTH = 26;

  private static final Pattern ID = Pattern.compile("[a-z2-7]{26}");
  private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();
  private static final SecureRandom RANDOM = new SecureRandom();

  private RoomIds() {}

  /**
   * Makes a new random id.
   *
   * @return the id
   */
  public static String random() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    StringBuilder sb = new StringBuilder(LENGTH);
    int buffer = 0;
    int bits = 0;
    for (byte b : bytes) {
      buffer = (buffer << 8) | (b & 0xff);
      bits += 8;
      while (bits >= 5) {
        sb.append(ALPHABET[(buffer >>> (bits - 5)) & 31]);
        bits -= 5;
      }
    }
    sb.append(ALPHABET[(buffer << (5 - bits)) & 31]);
    return sb.toString();
  }

  /**
   * Returns whether a text is a well-formed id.
   *
   * @param text the text, possibly null
   * @return true if it is 26 base32 characters
   */
  public static boolean valid(String text) {
    return text != null && ID.matcher(text).matches();
  }

  /**
   * Checks an id field.
   *
   * @param id the value
   * @return the id
   * @throws ProtocolException if it is missing or malformed
   */
  public static String require(String id) {
    if (!valid(id)) {
      throw new ProtocolException(
          id == null ? ProtocolError.MISSING_FIELD : ProtocolError.WRONG_FIELD_TYPE,
          "a room or room message id must be 26 characters of base32 (a-z, 2-7)");
    }
    return id;
  }
}
