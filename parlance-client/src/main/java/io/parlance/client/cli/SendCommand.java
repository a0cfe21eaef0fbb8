package io.parlance.client.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.parlance.client.control.ControlClient;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

/** {@code parlance send}: sends one message through the running daemon. */
@Command(
    name = "send",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
      "Send a message through the running daemon; exits 0 once it is written to the peer, or"
          + " queued in the daemon's outbox because the peer is not online now (a nickname seen"
          + " before; it goes out when the peer is back, and 'queued: why' is printed to stderr).",
      "NICKNAME may be nickname@ip:port when two peers share a nickname."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:sent, or queued for a peer seen before",
      "1:not sent, or no daemon runs (the reason is printed)",
      "2:usage error"
    })
final class SendCommand extends DaemonClientCommand {

  @Parameters(index = "0", paramLabel = "NICKNAME", description = "Whom to send to.")
  String target;

  @Parameters(
      index = "1..*",
      arity = "1..*",
      paramLabel = "MESSAGE",
      description = "The message; several words are joined with spaces.")
  List<String> words;

  @Option(names = "--json", description = "Print the daemon's sent, queued or error event as JSON.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    String text = String.join(" ", words);
    if (text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0 || target.indexOf('\n') >= 0) {
      throw new ParameterException(spec.commandLine(), "the message cannot contain line breaks");
    }
    PrintWriter out = out();
    try (ControlClient client = connect()) {
      client.send("/send " + target + " " + text);
      for (JsonNode event; (event = next(client)) != null; ) {
        String name = event.path("event").asText();
        if (name.equals("sent") || name.equals("queued") || name.equals("error")) {
          if (json) {
            out.println(JsonRenderer.write(event));
            out.flush();
          }
          if (name.equals("error")) {
            throw failure(event);
          }
          if (name.equals("queued") && !json) {
            spec.commandLine()
                .getErr()
                .println("queued: " + TerminalText.inline(event.path("reason").asText()));
            spec.commandLine().getErr().flush();
          }
          return 0;
        }
      }
    }
    throw new IllegalStateException("the daemon closed the connection before answering");
  }
}
