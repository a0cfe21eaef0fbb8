package io.parlance.protocol.json;

/**
 * Checks that bytes are well-formed UTF-8 by the same rules as Netty's {@code ByteBufUtil.isText}:
 * no stray continuation byte, no overlong form, no surrogate (U+D800–U+DFFF), nothing above
 * U+10FFFF, no sequence cut short. Works on an array, so a line costs one pass of plain loads.
 */
final class Utf8 {

  private Utf8() {}

  /**
   * Tells whether a range of bytes is well-formed UTF-8.
   *
   * @param bytes the bytes
   * @param offset where the range starts
   * @param length how long it is
   * @return true if it is well-formed
   */
  static boolean isValid(byte[] bytes, int offset, int length) {
    int i = offset;
    int end = offset + length;
    while (i < end) {
      int b0 = bytes[i];
      if (b0 >= 0) {
        i++;
        continue;
      }
      b0 &= 0xFF;
      if (b0 < 0xC2) {
        return false; // a continuation byte, or the lead of an overlong two-byte form
      }
      if (b0 < 0xE0) {
        if (i + 1 >= end || !isContinuation(bytes[i + 1])) {
          return false;
        }
        i += 2;
      } else if (b0 < 0xF0) {
        if (i + 2 >= end || !isContinuation(bytes[i + 1]) || !isContinuation(bytes[i + 2])) {
          return false;
        }
        int b1 = bytes[i + 1] & 0xFF;
        if (b0 == 0xE0 && b1 < 0xA0 || b0 == 0xED && b1 >= 0xA0) {
          return false; // overlong, or a surrogate
        }
        i += 3;
      } else if (b0 < 0xF5) {
        if (i + 3 >= end
            || !isContinuation(bytes[i + 1])
            || !isContinuation(bytes[i + 2])
            || !isContinuation(bytes[i + 3])) {
          return false;
        }
        int b1 = bytes[i + 1] & 0xFF;
        if (b0 == 0xF0 && b1 < 0x90 || b0 == 0xF4 && b1 >= 0x90) {
          return false; // overlong, or above U+10FFFF
        }
        i += 4;
      } else {
        return false;
      }
    }
    return true;
  }

  private static boolean isContinuation(byte b) {
    return (b & 0xC0) == 0x80;
  }
}
