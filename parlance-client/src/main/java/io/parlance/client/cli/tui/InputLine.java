package io.parlance.client.cli.tui;

import java.util.ArrayList;
import java.util.List;

/**
 * What the user is typing: the text (line breaks allowed, for multi-line messages), the cursor, and
 * the lines sent before, to recall with up and down. Not thread-safe: the key thread owns it; the
 * screen reads a {@link #snapshot()}.
 */
public final class InputLine {

  /** The most lines kept to recall. */
  public static final int MAX_HISTORY = 500;

  /** The longest text the line takes, in chars: a message longer than a chat line is refused. */
  public static final int MAX_LENGTH = 64 * 1024;

  private final StringBuilder text = new StringBuilder();
  private int cursor; // a char index, never inside a surrogate pair
  private final List<String> history = new ArrayList<>();
  private int recalled = -1; // index into history while recalling, else -1
  private String draft = "";

  /**
   * The text and cursor at one moment.
   *
   * @param text the text
   * @param cursor the cursor, as a char index into the text
   */
  public record Snapshot(String text, int cursor) {}

  /**
   * Returns the text and cursor now.
   *
   * @return the snapshot
   */
  public Snapshot snapshot() {
    return new Snapshot(text.toString(), cursor);
  }

  /**
   * Returns the text.
   *
   * @return the text typed so far
   */
  public String text() {
    return text.toString();
  }

  /**
   * Returns the cursor.
   *
   * @return the char index of the cursor
   */
  public int cursor() {
    return cursor;
  }

  /**
   * Inserts text at the cursor; what would make the text longer than {@link #MAX_LENGTH} is left
   * out.
   *
   * @param s the text
   * @return false if some of it was left out
   */
  public boolean insert(String s) {
    int room = MAX_LENGTH - text.length();
    String fits = s;
    if (s.length() > room) {
      int end = Math.max(0, room);
      if (end > 0 && Character.isHighSurrogate(s.charAt(end - 1))) {
        end--;
      }
      fits = s.substring(0, end);
    }
    text.insert(cursor, fits);
    cursor += fits.length();
    return fits.length() == s.length();
  }

  /** Deletes the character before the cursor. */
  public void backspace() {
    if (cursor > 0) {
      int start = text.offsetByCodePoints(cursor, -1);
      text.delete(start, cursor);
      cursor = start;
    }
  }

  /** Deletes the character under the cursor. */
  public void delete() {
    if (cursor < text.length()) {
      text.delete(cursor, text.offsetByCodePoints(cursor, 1));
    }
  }

  /** Deletes the word before the cursor, and the blanks after it. */
  public void deleteWord() {
    int start = cursor;
    while (start > 0 && Character.isWhitespace(text.charAt(start - 1))) {
      start--;
    }
    while (start > 0 && !Character.isWhitespace(text.charAt(start - 1))) {
      start--;
    }
    text.delete(start, cursor);
    cursor = start;
  }

  /** Moves the cursor one character left. */
  public void left() {
    if (cursor > 0) {
      cursor = text.offsetByCodePoints(cursor, -1);
    }
  }

  /** Moves the cursor one character right. */
  public void right() {
    if (cursor < text.length()) {
      cursor = text.offsetByCodePoints(cursor, 1);
    }
  }

  /** Moves the cursor to the start of the text. */
  public void home() {
    cursor = 0;
  }

  /** Moves the cursor to the end of the text. */
  public void end() {
    cursor = text.length();
  }

  /** Empties the text (the history stays). */
  public void clear() {
    set("");
    recalled = -1;
  }

  /**
   * Replaces the text, the cursor at its end.
   *
   * @param s the new text
   */
  public void set(String s) {
    text.setLength(0);
    cursor = 0;
    insert(s);
  }

  /** Shows the line sent before the one shown (the draft is kept, to come back to). */
  public void previous() {
    if (history.isEmpty() || recalled == 0) {
      return;
    }
    if (recalled < 0) {
      draft = text.toString();
      recalled = history.size();
    }
    recalled--;
    set(history.get(recalled));
  }

  /** Shows the line sent after the one shown, or back the draft. */
  public void next() {
    if (recalled < 0) {
      return;
    }
    recalled++;
    if (recalled >= history.size()) {
      recalled = -1;
      set(draft);
    } else {
      set(history.get(recalled));
    }
  }

  /**
   * Takes the text to send: empties the line and keeps the text to recall (not a repeat of the last
   * one, and not a blank one).
   *
   * @return the text
   */
  public String take() {
    String s = text.toString();
    if (!s.isBlank() && (history.isEmpty() || !history.get(history.size() - 1).equals(s))) {
      history.add(s);
      if (history.size() > MAX_HISTORY) {
        history.remove(0);
      }
    }
    recalled = -1;
    draft = "";
    text.setLength(0);
    cursor = 0;
    return s;
  }

  /**
   * Adds lines to recall, such as those of an earlier session, oldest first.
   *
   * @param lines the lines
   */
  public void remember(List<String> lines) {
    for (String line : lines) {
      if (!line.isBlank()) {
        history.add(line);
      }
    }
    while (history.size() > MAX_HISTORY) {
      history.remove(0);
    }
  }

  /**
   * Returns the lines kept to recall, oldest first.
   *
   * @return a copy
   */
  public List<String> history() {
    return List.copyOf(history);
  }
}
