package io.parlance.bench.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Runs the discovery benchmark once, tiny and with short timers, so it cannot rot unnoticed. */
class DiscoveryBenchmarkTest {

  @Test
  void measuresJoiningAGoodbyeAndACrashOfAPeerInItsOwnProcess() throws Exception {
    ByteArrayOutputStream report = new ByteArrayOutputStream();
    List<DiscoveryBenchmark.Result> results =
        new DiscoveryBenchmark(
                new DiscoveryBenchmark.Settings(
                    3, 1, 2, true, Duration.ofMillis(200), Duration.ofMillis(600)),
                new PrintStream(report, true, StandardCharsets.UTF_8))
            .run();

    assertThat(results).hasSize(1);
    DiscoveryBenchmark.Result r = results.get(0);
    assertThat(r.allListedFromFirstStart()).isPositive();
    assertThat(r.allListedFromLastStart()).isLessThanOrEqualTo(r.allListedFromFirstStart());
    assertThat(r.goneAfterGoodbye()).isPositive();
    assertThat(r.goneAfterCrash()).isPositive();
    assertThat(report.toString(StandardCharsets.UTF_8))
        .contains("warm-up run 1/2 (not counted)", "warm-up run 2/2 (not counted)", "run 1/1")
        .contains("Summary 3 peers");
  }
}
