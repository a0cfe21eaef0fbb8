package io.parlance.client.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.parlance.client.control.ControlClient;
import io.parlance.client.control.DaemonNotRunningException;
import io.parlance.client.profile.Profile;
import java.io.IOException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * What the commands that talk to a running daemon share: finding its control socket by profile,
 * connecting with a clear message when no daemon runs, and reading its JSON lines with a timeout.
 */
abstract class DaemonClientCommand implements Callable<Integer> {

  static final ObjectMapper JSON = new ObjectMapper();

  @Spec CommandSpec spec;

  @Mixin ProfileOptions profileOptions;

  @Option(
      names = "--timeout",
      paramLabel = "SECS",
      defaultValue = "15",
      description = "Give up if the daemon has not answered within SECS seconds (default 15).")
  int timeoutSecs;

  /**
   * Connects to the daemon of the selected profile.
   *
   * @return the client, which closes itself after the timeout unless answered
   * @throws IllegalStateException if no daemon runs, with the message users see
   * @throws IOException if the connect fails otherwise
   */
  ControlClient connect() throws IOException {
    if (timeoutSecs < 1) {
      throw new picocli.CommandLine.ParameterException(
          spec.commandLine(), "--timeout: must be at least 1, not " + timeoutSecs);
    }
    Profile profile = profileOptions.profile(root().environment);
    ControlClient client;
    try {
      client = ControlClient.connect(profile.controlSocket());
    } catch (DaemonNotRunningException e) {
      throw new IllegalStateException(
          "no parlance daemon is running for "
              + profile.describe()
              + " (start one with: parlance daemon --nickname NAME"
              + profile.flags()
              + ")",
          e);
    }
    client.closeAfter(Duration.ofSeconds(timeoutSecs));
    return client;
  }

  /**
   * Reads the next event.
   *
   * @param client the client
   * @return the event, or null if the daemon closed the connection
   * @throws IllegalStateException if the timeout passed first
   */
  JsonNode next(ControlClient client) throws IOException {
    String line;
    try {
      line = client.readLine();
    } catch (IOException e) {
      if (client.timedOut()) {
        throw new IllegalStateException(
            "no answer from the daemon within " + timeoutSecs + " s", e);
      }
      throw e;
    }
    if (line == null && client.timedOut()) {
      throw new IllegalStateException("no answer from the daemon within " + timeoutSecs + " s");
    }
    return line == null ? null : JSON.readTree(line);
  }

  /** The {@code parlance} command this one runs under, directly or in a group such as room. */
  ParlanceCommand root() {
    return (ParlanceCommand) spec.root().userObject();
  }

  /** Fails with the daemon's error message. */
  static IllegalStateException failure(JsonNode error) {
    return new IllegalStateException(error.path("message").asText("the daemon refused"));
  }

  PrintWriter out() {
    return spec.commandLine().getOut();
  }
}
