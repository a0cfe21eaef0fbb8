package io.parlance.bench.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Runs the transport benchmark once, tiny, so a broken tool fails the build. */
class TransportBenchmarkTest {

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void aRunCarriesEveryLineOverTheConnectionItSaysAndTimesTheSetUps(boolean tls) throws Exception {
    ByteArrayOutputStream report = new ByteArrayOutputStream();
    List<TransportBenchmark.Result> results =
        new TransportBenchmark(
                new TransportBenchmark.Settings(tls, 500, 100, 64, 20, 1),
                new PrintStream(report, true, StandardCharsets.UTF_8))
            .run();

    TransportBenchmark.Result r = results.get(0);
    assertThat(r.messages()).isEqualTo(500);
    assertThat(r.encrypted()).isEqualTo(tls);
    assertThat(r.setup().getTotalCount()).isEqualTo(18); // the first tenth warms up
    assertThat(report.toString(StandardCharsets.UTF_8))
        .contains("run 1/1: 500 messages in")
        .contains(tls ? "every line arrived over TLS" : "lines arrived in plain text")
        .contains("Summary " + (tls ? "tls" : "plain"));
  }

  @Test
  void anOpenLoopRunTimesEveryLineFromWhenItWasDue() throws Exception {
    ByteArrayOutputStream report = new ByteArrayOutputStream();
    List<TransportBenchmark.Result> results =
        new TransportBenchmark(
                new TransportBenchmark.Settings(true, 200, 50, 64, 0, 1, 2_000),
                new PrintStream(report, true, StandardCharsets.UTF_8))
            .run();

    TransportBenchmark.Result r = results.get(0);
    assertThat(r.latency().getTotalCount()).isEqualTo(200);
    assertThat(r.setup().getTotalCount()).isZero();
    // 200 lines at 2,000/s take at least the 0.1 s of the schedule.
    assertThat(r.elapsedNanos()).isGreaterThanOrEqualTo(99_000_000L);
    assertThat(report.toString(StandardCharsets.UTF_8)).contains("at 2000/s; latency p50");
  }
}
