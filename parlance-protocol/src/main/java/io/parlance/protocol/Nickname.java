package io.parlance.protocol;

import java.util.Optional;

/**
 * Parlance's nickname rules: 1–32 bytes of UTF-8, not only whitespace, no leading or trailing
 * whitespace, no line break, no control character.
 */
public final class Nickname {

  /** The longest nickname, in bytes of UTF-8. */
  public static final int MAX_BYTES = 32;

  private Nickname() {}

  /**
   * Checks a nickname against Parlance's rules.
   *
   * @param nickname the candidate, possibly null
   * @return what is wrong with it, in words, or empty if it is valid
   */
  public static Optional<String> problem(String nickname) {
    if (nickname == null) {
      return Optional.of("nickname is missing");
    }
    if (nickname.isEmpty()) {
      return Optional.of("nickname is empty");
    }
    int bytes = utf8Length(nickname);
    if (bytes > MAX_BYTES) {
      return Optional.of(
          "nickname is " + bytes + " bytes long; the limit is " + MAX_BYTES + " bytes of UTF-8");
    }
    if (nickname.indexOf('\n') >= 0 || nickname.indexOf('\r') >= 0) {
      return Optional.of("nickname contains a line break");
    }
    for (int i = 0; i < nickname.length(); ) {
      int cp = nickname.codePointAt(i);
      int type = Character.getType(cp);
      if (type == Character.CONTROL) {
        return Optional.of(String.format("nickname contains a control character (U+%04X)", cp));
      }
      if (type == Character.SURROGATE) {
        return Optional.of("nickname contains an unpaired surrogate, which is not valid Unicode");
      }
      i += Character.charCount(cp);
    }
    // Checked for every chat line: look at every code point only when the first is whitespace.
    boolean leading = isWhitespace(nickname.codePointAt(0));
    if (leading && nickname.codePoints().allMatch(Nickname::isWhitespace)) {
      return Optional.of("nickname is only whitespace");
    }
    if (leading || isWhitespace(nickname.codePointBefore(nickname.length()))) {
      return Optional.of("nickname has leading or trailing whitespace");
    }
    return Optional.empty();
  }

  /**
   * Tells whether a nickname follows Parlance's rules.
   *
   * @param nickname the candidate, possibly null
   * @return true if it is valid
   */
  public static boolean isValid(String nickname) {
    return problem(nickname).isEmpty();
  }

  /**
   * Returns the nickname if it follows Parlance's rules.
   *
   * @param nickname the candidate
   * @return the same nickname
   * @throws ProtocolException of kind {@link ProtocolError#INVALID_NICKNAME}, saying what is wrong
   */
  public static String requireValid(String nickname) {
    Optional<String> problem = problem(nickname);
    if (problem.isPresent()) {
      throw new ProtocolException(ProtocolError.INVALID_NICKNAME, problem.get());
    }
    return nickname;
  }

  /** Unicode White_Space, as Rust's {@code str::trim} sees it. */
  private static boolean isWhitespace(int cp) {
    return Character.isWhitespace(cp) || Character.isSpaceChar(cp) || cp == 0x85;
  }

  private static int utf8Length(String s) {
    int bytes = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        bytes += 1;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c)
          && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }
}
