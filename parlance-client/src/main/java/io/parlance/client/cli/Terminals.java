package io.parlance.client.cli;

import io.parlance.client.node.OwnThread;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
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
      try {
        // JLine's own native provider alone first: trying each provider in turn costs a start a
        // failed load for each one that is missing (FFM before Java 22, Jansi, JNA) and a process
        // (test -t 1) for the exec one.
        return TerminalBuilder.builder()
            .system(true)
            .ffm(false)
            .jansi(false)
            .jna(false)
            .exec(false)
            .dumb(false)
            .build();
      } catch (IOException | IllegalStateException | LinkageError noNativeProvider) {
        // None for this platform (or it is turned off): every provider, as JLine chooses.
      }
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

  /**
   * The terminal, opened on a thread of its own beside the rest of the start (the settings, the log
   * set-up, the profile lock), as JLine takes about a tenth of a second to make a system terminal.
   */
  static final class Opening implements AutoCloseable {

    private final Future<Terminal> task;
    private volatile boolean taken;

    private Opening(Future<Terminal> task) {
      this.task = task;
    }

    /** Begins opening the terminal. */
    static Opening begin() {
      return new Opening(OwnThread.run("parlance-terminal", Terminals::open));
    }

    /**
     * Waits for the terminal; the caller closes it from then on.
     *
     * @return the terminal
     * @throws IOException if it could not be opened
     * @throws InterruptedException if interrupted while waiting
     */
    Terminal take() throws IOException, InterruptedException {
      taken = true;
      return OwnThread.result(task, IOException.class);
    }

    /** Closes the terminal if the start failed before taking it, so the terminal is restored. */
    @Override
    public void close() {
      if (taken) {
        return;
      }
      taken = true;
      try {
        task.get().close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (ExecutionException | IOException nothingToRestore) {
        // it never opened, or is gone already
      }
    }
  }
}
