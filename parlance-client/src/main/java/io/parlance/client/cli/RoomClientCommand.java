package io.parlance.client.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.parlance.client.control.ControlClient;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * What the {@code parlance room} commands share: one room command line to the running daemon, its
 * one answer read back ({@code room_<kind>} or {@code error}), printed as text or, with {@code
 * --json}, as the daemon's JSON line.
 */
abstract class RoomClientCommand extends DaemonClientCommand {

  private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

  /** The chat's hints in the daemon's errors, and what a shell user types instead. */
  private static final Map<String, String> HINTS =
      Map.of(
          "/rooms lists", "'parlance room list' lists",
          "/members lists", "'parlance room members ROOM' lists",
          "/propose lists", "'parlance room propose ROOM' lists",
          "propose it with /propose and let members /vote",
              "propose it with 'parlance room propose' and let members 'parlance room vote'",
          "/join or ignore some", "'parlance room join' or ignore some");

  @Option(names = "--json", description = "Print the daemon's answer as one JSON line.")
  boolean json;

  /**
   * Sends one room command and waits for its answer.
   *
   * @param line the command line, as typed in the chat
   * @param kind the answer expected: {@code room_<kind>}
   * @return the answer
   * @throws IllegalStateException with the daemon's message if it refused
   */
  JsonNode ask(String line, String kind) throws Exception {
    if (line.indexOf('\n') >= 0 || line.indexOf('\r') >= 0) {
      throw new ParameterException(spec.commandLine(), "the arguments cannot contain line breaks");
    }
    try (ControlClient client = connect()) {
      client.send(line);
      for (JsonNode event; (event = next(client)) != null; ) {
        String name = event.path("event").asText();
        if (name.equals("error")) {
          if (json) {
            out().println(JsonRenderer.write(event));
            out().flush();
          }
          throw new IllegalStateException(forTheShell(event.path("message").asText()));
        }
        if (name.equals("room_" + kind)) {
          if (json) {
            out().println(JsonRenderer.write(event));
            out().flush();
          }
          return event;
        }
      }
    }
    throw new IllegalStateException("the daemon closed the connection before answering");
  }

  /** Runs the command: asks, then prints the answer as text unless {@code --json}. */
  @Override
  public Integer call() throws Exception {
    JsonNode answer = ask(line(), kind());
    if (!json) {
      print(answer, out());
      out().flush();
    }
    return 0;
  }

  /** The command line for the daemon. */
  abstract String line();

  /** The kind of answer expected. */
  abstract String kind();

  /**
   * Prints the answer for a person; by default its one-line message, without the chat's hint after
   * it ("; /room use lab to talk there").
   */
  void print(JsonNode answer, PrintWriter out) {
    String message = answer.path("message").asText();
    int hint = message.indexOf("; /");
    if (hint >= 0) {
      message = message.substring(0, hint);
    }
    if (!message.isEmpty()) {
      out.println(TerminalText.inline(forTheShell(message)));
    }
  }

  /** Says the chat's hints in a message the shell way. */
  static String forTheShell(String message) {
    String out = message;
    for (Map.Entry<String, String> e : HINTS.entrySet()) {
      out = out.replace(e.getKey(), e.getValue());
    }
    return out;
  }

  /** One word of a command line: refused if it is empty or holds spaces. */
  String word(String what, String value) {
    if (value.isBlank() || value.strip().contains(" ")) {
      throw new ParameterException(
          spec.commandLine(), what + " must be one word (name a room by its id if need be)");
    }
    return value.strip();
  }

  static void table(List<String[]> rows, PrintWriter out) {
    int columns = rows.get(0).length;
    int[] widths = new int[columns];
    for (String[] row : rows) {
      for (int i = 0; i < columns; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < columns; i++) {
        line.append(row[i]);
        if (i < columns - 1) {
          line.append(" ".repeat(widths[i] - row[i].length() + 2));
        }
      }
      out.println(line.toString().stripTrailing());
    }
  }

  static List<String[]> header(String... names) {
    List<String[]> rows = new ArrayList<>();
    rows.add(names);
    return rows;
  }

  /** Prints a room's messages as '[HH:MM:SS] nickname: text', each neutralised. */
  static void messages(JsonNode list, PrintWriter out) {
    for (JsonNode m : list) {
      String prefix =
          "["
              + LocalTime.ofInstant(
                      Instant.ofEpochMilli(m.path("created_ms").asLong()), ZoneId.systemDefault())
                  .format(CLOCK)
              + "] ";
      out.println(
          prefix
              + TerminalText.inline(m.path("nickname").asText())
              + ": "
              + TerminalText.block(m.path("text").asText(), " ".repeat(prefix.length())));
    }
  }
}
