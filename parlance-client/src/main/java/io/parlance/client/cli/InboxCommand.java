package io.parlance.client.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.parlance.client.control.ControlClient;
import io.parlance.client.node.NodeEvent;
import io.parlance.client.security.PeerId;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code parlance inbox}: prints the messages the running daemon received, and new ones. */
@Command(
    name = "inbox",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
      "Print the messages the running daemon received since it started (the newest 10000),"
          + " oldest first, as '[HH:MM:SS] from: text' lines or, with --json, one message"
          + " event per line.",
      "With --follow, keep printing new messages until interrupted or the daemon stops, room"
          + " messages too ('[HH:MM:SS] #room from: text', or the room_message event) and room"
          + " invitations and their withdrawal."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:printed (with --follow: the daemon stopped)",
      "1:no daemon runs, it did not answer, or the connection was lost",
      "2:usage error"
    })
final class InboxCommand extends DaemonClientCommand {

  private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

  @Option(
      names = "--json",
      description =
          "One JSON line per message: {\"event\":\"message\",\"from\":...,\"content\":...,"
              + "\"timestamp\":...,\"address\":...}.")
  boolean json;

  @Option(names = "--follow", description = "Keep printing new messages as they arrive.")
  boolean follow;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = out();
    try (ControlClient client = connect()) {
      client.send(follow ? "/follow inbox" : "/inbox");
      boolean answered = false; // once answered, an error is another client's, told to followers
      for (JsonNode event; (event = next(client)) != null; ) {
        switch (event.path("event").asText()) {
          case "following" -> {
            answered = true;
            client.answered();
          }
          case "inbox" -> {
            for (JsonNode m : event.path("messages")) {
              print(m, out);
            }
            out.flush();
            if (!follow) {
              return 0;
            }
            answered = true;
            client.answered();
          }
          case "message" -> {
            if (follow) {
              print(event, out);
              out.flush();
            }
          }
          case "room_message", "room_invited", "room_withdrawn" -> {
            if (follow) {
              printRoom(event, out);
              out.flush();
            }
          }
          case "identity_mismatch", "key_changed" -> {
            // Security warnings reach a follower too: it may be the only face the user watches.
            if (follow) {
              out.println(
                  json ? JsonRenderer.write(event) : "! " + TerminalText.inline(warning(event)));
              out.flush();
            }
          }
          case "stopped" -> {
            return 0;
          }
          case "error" -> {
            if (!answered) {
              throw failure(event);
            }
          }
          default -> {
            // Other events of a following connection (peers joining, ...) are not messages.
          }
        }
      }
    }
    throw new IllegalStateException("the daemon closed the connection");
  }

  /** A room's message as '[HH:MM:SS] #room from: text', or an invitation, all neutralised. */
  private void printRoom(JsonNode event, PrintWriter out) {
    if (json) {
      out.println(JsonRenderer.write(event));
      return;
    }
    String room = TerminalText.inline(event.path("name").asText());
    String from = TerminalText.inline(event.path("from").asText());
    if (event.path("event").asText().equals("room_withdrawn")) {
      out.println("* " + TerminalText.inline(event.path("text").asText()));
      return;
    }
    if (event.path("event").asText().equals("room_invited")) {
      String id = event.path("room").asText();
      out.println(
          "* "
              + from
              + " invites you to room #"
              + room
              + "; accept with: parlance room join "
              + TerminalText.inline(id.length() > 8 ? id.substring(0, 8) : id));
      return;
    }
    String prefix = "[" + LocalTime.now(ZoneId.systemDefault()).format(CLOCK) + "] ";
    out.println(
        prefix
            + "#"
            + room
            + " "
            + from
            + ": "
            + TerminalText.block(event.path("text").asText(), " ".repeat(prefix.length())));
  }

  private static String warning(JsonNode event) {
    String text = event.path("message").asText();
    return "identity_mismatch".equals(event.path("event").asText())
        ? "SECURITY WARNING: " + text
        : text;
  }

  private void print(JsonNode m, PrintWriter out) {
    NodeEvent.MessageReceived message =
        new NodeEvent.MessageReceived(
            m.path("from").asText(),
            m.path("content").asText(),
            m.path("timestamp").asLong(),
            m.path("address").asText(),
            m.hasNonNull("id") ? PeerId.parse(m.path("id").asText()) : null,
            m.hasNonNull("sender") ? m.path("sender").asText() : null,
            m.hasNonNull("id") && !m.path("pinned").asBoolean(true));
    if (json) {
      out.println(JsonRenderer.line(message));
      return;
    }
    String at =
        LocalTime.ofInstant(Instant.ofEpochSecond(message.timestamp()), ZoneId.systemDefault())
            .format(CLOCK);
    String prefix = "[" + at + "] ";
    out.println(
        prefix
            + TerminalText.inline(message.sender())
            + TerminalRenderer.sourceNote(message)
            + ": "
            + TerminalText.block(message.content(), " ".repeat(prefix.length())));
  }
}
