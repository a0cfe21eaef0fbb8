package io.parlance.client.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Neutralises text from the network (message contents, nicknames, reasons, server messages) before
 * it reaches a terminal, so that no peer can move the cursor, erase or recolour lines, set the
 * window title, ring the bell or reorder the text around it.
 *
 * <p>Every control character is shown visibly instead of being sent: C0 controls, DEL and NUL as
 * their Unicode control pictures (ESC as {@code ␛}, BEL as {@code ␇}), C1 controls (CSI, OSC, ...)
 * as {@code \x9b}-style escapes, and the bidirectional overrides and isolates as {@code <U+202E>},
 * so an escape sequence stays readable as text and does nothing. In {@link #lines} the line breaks
 * of a message split it into lines, which the caller shows as indented continuations of the same
 * message, never as new ones; elsewhere ({@link #inline}) a line break is shown as a control
 * picture too. Every terminal renderer of the client goes through this class; JSON output does not
 * need it (Jackson escapes every control character).
 */
final class TerminalText {

  private TerminalText() {}

  /**
   * Neutralises a text shown inside one line: a nickname, a reason, a single-line field.
   *
   * @param text the text, as it came
   * @return the text with every control character shown visibly, line breaks included
   */
  static String inline(String text) {
    StringBuilder out = new StringBuilder(text.length());
    text.codePoints().forEach(c -> append(out, c));
    return out.toString();
  }

  /**
   * Neutralises a message's content and splits it at its line breaks ({@code \n}, {@code \r\n}, a
   * lone {@code \r}, NEL, U+2028 and U+2029).
   *
   * @param text the content, as it came
   * @return its lines, at least one, each safe to print; the caller shows the second and later ones
   *     indented, as continuations of the same message
   */
  static List<String> lines(String text) {
    List<String> lines = new ArrayList<>();
    StringBuilder line = new StringBuilder();
    int i = 0;
    while (i < text.length()) {
      int c = text.codePointAt(i);
      i += Character.charCount(c);
      if (isLineBreak(c)) {
        if (c == '\r' && i < text.length() && text.charAt(i) == '\n') {
          i++;
        }
        lines.add(line.toString());
        line.setLength(0);
      } else {
        append(line, c);
      }
    }
    lines.add(line.toString());
    return lines;
  }

  /**
   * Neutralises a message's content as one block of text: its first line, then each further line on
   * a line of its own that starts with {@code indent}.
   *
   * @param text the content, as it came
   * @param indent what starts each continuation line, e.g. spaces as wide as the prefix of the
   *     first line; must not be empty, so a continuation never starts where a message does
   * @return the block, with {@code \n} between its lines
   */
  static String block(String text, String indent) {
    if (indent.isEmpty()) {
      throw new IllegalArgumentException("a continuation line must be indented");
    }
    return String.join("\n" + indent, lines(text));
  }

  private static boolean isLineBreak(int c) {
    return c == '\n' || c == '\r' || c == 0x85 || c == 0x2028 || c == 0x2029;
  }

  private static void append(StringBuilder out, int c) {
    if (c == '\t') {
      out.append(' '); // a tab would jump columns unpredictably; one space keeps words apart
    } else if (c < 0x20) {
      out.append((char) (0x2400 + c)); // the control pictures: ␀ ... ␛ ... ␟
    } else if (c == 0x7f) {
      out.append('\u2421'); // ␡
    } else if (c >= 0x80 && c <= 0x9f) {
      out.append(String.format(Locale.ROOT, "\\x%02x", c)); // C1: CSI, OSC, ... have no pictures
    } else if (isBidiControl(c) || Character.getType(c) == Character.SURROGATE) {
      out.append(String.format(Locale.ROOT, "<U+%04X>", c));
    } else if (c == 0x2028 || c == 0x2029) {
      out.append('\u2424'); // ␤, for inline text
    } else {
      out.appendCodePoint(c);
    }
  }

  /** The embeddings, overrides, isolates and marks that reorder the text around them. */
  static boolean isBidiControl(int c) {
    return (c >= 0x202a && c <= 0x202e)
        || (c >= 0x2066 && c <= 0x2069)
        || c == 0x200e
        || c == 0x200f
        || c == 0x061c;
  }
}
