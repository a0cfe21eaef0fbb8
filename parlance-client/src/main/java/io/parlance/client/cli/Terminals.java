package io.parlance.client.cli;

import java.io.IOException;
import java.util.Map;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.utils.InfoCmp.Capability;

/** Opens the chat's terminal and tells what it can do: full screen, colour. */
final class Terminals {

  private Terminals() {}

  /**
   * Opens the system terminal when stdin and stdout are one; otherwise (a pipe, a file) a dumb
   * terminal on the streams, quietly: JLine would log a warning that it could not make a system
   * terminal before falling back to the same.
   *
   * @return the terminal
   * @throws IOException if it cannot be opened
   */
  static Terminal open() throws IOException {
    if (System.console() != null) {
      return TerminalBuilder.builder().system(true).build();
    }
    // dumb(true): the same dumb terminal on stdin and stdout that JLine falls back to, asked for.
    return TerminalBuilder.builder().system(true).dumb(true).build();
  }

  /**
   * Tells whether a terminal can show the full-screen chat: not a dumb one, able to move the
   * cursor, with a known size of at least a few rows.
   *
   * @param terminal the terminal
   * @return true for full screen
   */
  static boolean fullScreen(Terminal terminal) {
    return !terminal.getType().startsWith(Terminal.TYPE_DUMB)
        && terminal.getStringCapability(Capability.cursor_address) != null
        && terminal.getHeight() >= 5
        && terminal.getWidth() >= 20;
  }

  /**
   * Tells whether to colour: the terminal has 8 colours or more and {@code NO_COLOR} is not set (to
   * anything but the empty string, as no-color.org says).
   *
   * @param terminal the terminal
   * @param environment the environment
   * @return true to colour
   */
  static boolean colour(Terminal terminal, Map<String, String> environment) {
    String noColour = environment.get("NO_COLOR");
    if (noColour != null && !noColour.isEmpty()) {
      return false;
    }
    Integer colours = terminal.getNumericCapability(Capability.max_colors);
    return colours != null && colours >= 8;
  }
}
