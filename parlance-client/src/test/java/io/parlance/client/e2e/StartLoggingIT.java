package io.parlance.client.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/**
 * The built jar logs through its own SLF4J provider (logback, set up in code): its lines have the
 * log file's layout, and SLF4J says nothing of providers on stderr.
 */
class StartLoggingIT {

  @Test
  void aChatLogsItsLinesInTheLogLayoutAndSlf4jStaysQuiet() throws Exception {
    String nickname = "logs-" + ThreadLocalRandom.current().nextInt(1000, 9999);
    // In JSON mode the log goes to stderr; the end of stdin is /quit, so the chat stops once up.
    ParlanceProcess.ProcessResult r =
        ParlanceProcess.run(
            "--json",
            "--interface",
            "lo",
            "--multicast-port",
            Integer.toString(40_000 + ThreadLocalRandom.current().nextInt(10_000)),
            "--nickname",
            nickname,
            "--data-dir",
            ParlanceProcess.scratchDirectory().toString());
    assertThat(r.exitCode()).as(r.err()).isZero();
    assertThat(r.out()).contains("\"event\":\"ready\"");
    List<String> lines = Arrays.asList(r.err().split("\\R"));
    assertThat(lines)
        .as(r.err())
        .anyMatch(
            line ->
                line.matches(
                    "\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  \\[main\\]"
                        + " i\\.p\\.client\\.node\\.PeerNode - Node "
                        + nickname
                        + " listening on TCP port \\d+"))
        .noneMatch(line -> line.startsWith("SLF4J"));
  }
}
