package io.parlance.client.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.parlance.client.control.ControlClient;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code parlance peers}: lists the peers the running daemon knows. */
@Command(
    name = "peers",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
      "List the peers the running daemon sees: a table 'nickname  address  via  security' with a"
          + " header line, or the daemon's peers event as one JSON line."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:listed", "1:no daemon runs, or it did not answer", "2:usage error"})
final class PeersCommand extends DaemonClientCommand {

  @Option(
      names = "--json",
      description = "Print the peers event: {\"event\":\"peers\",\"peers\":[...]}.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = out();
    try (ControlClient client = connect()) {
      client.send("/peers");
      for (JsonNode event; (event = next(client)) != null; ) {
        String name = event.path("event").asText();
        if (name.equals("peers")) {
          if (json) {
            out.println(JsonRenderer.write(event));
          } else {
            table(event.path("peers"), out);
          }
          out.flush();
          return 0;
        }
        if (name.equals("error")) {
          throw failure(event);
        }
      }
    }
    throw new IllegalStateException("the daemon closed the connection before answering");
  }

  static void table(JsonNode peers, PrintWriter out) {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"nickname", "address", "via", "security"});
    for (JsonNode p : peers) {
      rows.add(
          new String[] {
            TerminalText.inline(p.path("nickname").asText()),
            TerminalText.inline(p.path("address").asText()),
            TerminalText.inline(p.path("via").asText()),
            TerminalText.inline(
                security(p) + (p.hasNonNull("path") ? ", " + p.path("path").asText() : ""))
          });
    }
    int[] widths = new int[3];
    for (String[] row : rows) {
      for (int i = 0; i < widths.length; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    for (String[] row : rows) {
      out.println(
          pad(row[0], widths[0])
              + "  "
              + pad(row[1], widths[1])
              + "  "
              + pad(row[2], widths[2])
              + "  "
              + row[3]);
    }
  }

  /** Says in a few words how the daemon talks to a peer. */
  private static String security(JsonNode p) {
    if ("changed".equals(p.path("trust").asText())) {
      return "KEY CHANGED (refused until /trust)";
    }
    if ("unpinned".equals(p.path("trust").asText())) {
      return "another peer of that name, id " + p.path("id").asText() + " (not trusted yet)";
    }
    if (p.path("encrypted").asBoolean()) {
      return "encrypted, id " + p.path("id").asText();
    }
    return "plain, unverified";
  }

  private static String pad(String s, int width) {
    return s + " ".repeat(width - s.length());
  }
}
