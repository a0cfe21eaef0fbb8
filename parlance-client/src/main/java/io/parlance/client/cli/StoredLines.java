package io.parlance.client.cli;

import io.parlance.client.store.Direction;
import io.parlance.client.store.StoredMessage;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** Formats stored messages as lines for people: history and search results. */
final class StoredLines {

  private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

  private StoredLines() {}

  /**
   * Formats one message: {@code [2026-11-21 14:02:17] → bob: hello (delivered)} for ours, {@code
   * [2026-11-21 14:02:20] bob: hi} for the peer's ({@code bob (unverified): hi} if its sender
   * proved nothing).
   *
   * @param m the message
   * @param zone the time zone to show times in
   * @return the line, with control characters made harmless; a content with line breaks goes on
   *     indented continuation lines
   */
  /**
   * Formats one room message: {@code [2026-11-21 14:02:17] #lab bob: hello}.
   *
   * @param m the message
   * @param room the room's name
   * @param zone the time zone to show times in
   * @return the line, with control characters made harmless
   */
  static String line(io.parlance.client.store.MessageStore.RoomRow m, String room, ZoneId zone) {
    String at =
        "["
            + WHEN.format(LocalDateTime.ofInstant(Instant.ofEpochMilli(m.createdMs()), zone))
            + "] ";
    return at
        + "#"
        + TerminalText.inline(room)
        + " "
        + TerminalText.inline(m.nickname())
        + ": "
        + TerminalText.block(m.text(), " ".repeat(at.length()));
  }

  static String line(StoredMessage m, ZoneId zone) {
    String at =
        "["
            + WHEN.format(LocalDateTime.ofInstant(Instant.ofEpochSecond(m.timestamp()), zone))
            + "] ";
    String who = TerminalText.inline(m.nickname());
    String text = TerminalText.block(m.content(), " ".repeat(at.length()));
    if (m.direction() == Direction.OUT) {
      return at + "→ " + who + ": " + text + " (" + m.state().name().toLowerCase(Locale.ROOT) + ")";
    }
    // A received message whose sender proved nothing: anyone could have written it.
    return at + who + (m.unverified() ? " (unverified)" : "") + ": " + text;
  }
}
