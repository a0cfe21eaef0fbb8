package io.parlance.bootstrap.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parlance.bootstrap.BootstrapServer;
import io.parlance.bootstrap.BootstrapServerConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Runs the load tool once, tiny, against an in-process server, so it cannot rot unnoticed. */
class LoadToolTest {

  @Test
  void registersProbesAndLooksUpAndReportsEachFigure() throws Exception {
    ByteArrayOutputStream report = new ByteArrayOutputStream();
    try (BootstrapServer server =
        BootstrapServer.start(
            BootstrapServerConfig.builder()
                .host("127.0.0.1")
                .port(0)
                .batchInterval(Duration.ofMillis(50))
                .registrationRatePerIp(10_000, 10_000)
                .maxConnectionsPerIp(10_000)
                .build())) {
      LoadTool.run(
          new String[] {
            "--port", Integer.toString(server.port()),
            "--clients", "30",
            "--probe-every", "10",
            "--probe-size", "3",
            "--lookups", "40",
            "--lookup-rate", "200",
            "--hold", "0",
            "--deadline", "120"
          },
          new PrintStream(report, true, StandardCharsets.UTF_8));
    }

    assertThat(report.toString(StandardCharsets.UTF_8))
        .contains("Registered 30 clients")
        .contains("(0 failed)")
        .contains("at 10 registered: 3 joins at once registered")
        .contains("all 10 subscribers heard of all of them")
        .contains("at 23 registered: 3 joins at once")
        .contains("Lookups: 40 sent, 40 answered (40 found), 0 errors");
  }

  @Test
  void refusesANicknamePrefixTheServerWouldNotTake() {
    for (String prefix : new String[] {"Load", "a-b", "", "abcdefghijklm", "1a"}) {
      assertThatThrownBy(
              () ->
                  LoadTool.run(
                      new String[] {"--prefix", prefix, "--clients", "1"},
                      new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("--prefix");
    }
  }
}
