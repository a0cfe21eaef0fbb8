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
      "List the peers the running daemon sees: a table 'nickname  address  via' with a header"
          + " line, or the daemon's peers event as one JSON line."
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
            out.println(event);
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
    rows.add(new String[] {"nickname", "address", "via"});
    for (JsonNode p : peers) {
      rows.add(
          new String[] {
            InboxCommand.printable(p.path("nickname").asText()),
            p.path("address").asText(),
            p.path("via").asText()
          });
    }
    int[] widths = new int[2];
    for (String[] row : rows) {
      widths[0] = Math.max(widths[0], row[0].length());
      widths[1] = Math.max(widths[1], row[1].length());
    }
    for (String[] row : rows) {
      out.println(pad(row[0], widths[0]) + "  " + pad(row[1], widths[1]) + "  " + row[2]);
    }
  }

  private static String pad(String s, int width) {
    return s + " ".repeat(width - s.length());
  }
}
