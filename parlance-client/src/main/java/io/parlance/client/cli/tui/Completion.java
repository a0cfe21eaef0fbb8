package io.parlance.client.cli.tui;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Tab completion of the input line: a command name at the start, a peer's name after a command that
 * takes one (escaped as {@code alice\ smith}, which the command parser reads back as {@code alice
 * smith}), and a nickname inside a message's text.
 */
public final class Completion {

  /** The commands whose first argument is a peer. */
  public static final Set<String> TAKE_A_PEER =
      Set.of("/send", "/msg", "/history", "/query", "/verify", "/trust");

  private Completion() {}

  /**
   * What completing gave.
   *
   * @param text the new text
   * @param cursor the new cursor
   * @param candidates the choices, when there were several (or none), to show the user
   */
  public record Result(String text, int cursor, List<String> candidates) {}

  /**
   * Completes the word before the cursor.
   *
   * @param text the input text
   * @param cursor the cursor, a char index
   * @param commands the command names, each starting with {@code /}
   * @param names the peers' names (nicknames, and qualified names where two share one)
   * @return the completed text; unchanged text and the candidates when no single one fits
   */
  public static Result complete(
      String text, int cursor, List<String> commands, List<String> names) {
    String head = text.substring(0, cursor);
    String tail = text.substring(cursor);
    if (head.startsWith("/") && head.indexOf(' ') < 0) {
      return fill(head, tail, "", head, commands, false);
    }
    int space = head.indexOf(' ');
    if (head.startsWith("/") && TAKE_A_PEER.contains(head.substring(0, space))) {
      String written = head.substring(space + 1);
      if (!hasUnescapedBlank(written)) {
        return fill(head, tail, head.substring(0, space + 1), unescape(written), names, true);
      }
    }
    if (head.startsWith("/")) {
      return new Result(text, cursor, List.of());
    }
    int start = head.lastIndexOf(' ') + 1;
    return fill(head, tail, head.substring(0, start), head.substring(start), names, false);
  }

  private static Result fill(
      String head,
      String tail,
      String before,
      String partial,
      List<String> choices,
      boolean escape) {
    List<String> matches = new ArrayList<>();
    for (String c : choices) {
      if (c.startsWith(partial) && !matches.contains(c)) {
        matches.add(c);
      }
    }
    if (matches.isEmpty()) {
      return new Result(head + tail, head.length(), List.of());
    }
    String common = matches.get(0);
    for (String m : matches) {
      int i = 0;
      while (i < common.length() && i < m.length() && common.charAt(i) == m.charAt(i)) {
        i++;
      }
      common = common.substring(0, i);
    }
    boolean done = matches.size() == 1;
    String inserted = (escape ? escape(common) : common) + (done ? " " : "");
    String newHead = before + inserted;
    return new Result(newHead + tail, newHead.length(), done ? List.of() : List.copyOf(matches));
  }

  /** A name as the command parser reads it back: a backslash before blanks, quotes, backslashes. */
  static String escape(String name) {
    StringBuilder out = new StringBuilder(name.length() + 4);
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (Character.isWhitespace(c) || c == '\\' || c == '"' || c == '\'') {
        out.append('\\');
      }
      out.append(c);
    }
    return out.toString();
  }

  private static String unescape(String written) {
    StringBuilder out = new StringBuilder(written.length());
    for (int i = 0; i < written.length(); i++) {
      char c = written.charAt(i);
      if (c == '\\' && i + 1 < written.length()) {
        i++;
        c = written.charAt(i);
      }
      out.append(c);
    }
    return out.toString();
  }

  private static boolean hasUnescapedBlank(String written) {
    for (int i = 0; i < written.length(); i++) {
      char c = written.charAt(i);
      if (c == '\\') {
        i++;
      } else if (Character.isWhitespace(c)) {
        return true;
      }
    }
    return false;
  }
}
