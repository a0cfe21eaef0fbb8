package io.parlance.bench.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Runs each messaging mode once, tiny, so a broken tool fails the build rather than a bench run.
 */
class MessagingBenchmarkTest {

  private final ByteArrayOutputStream report = new ByteArrayOutputStream();
  private final PrintStream out = new PrintStream(report, true, StandardCharsets.UTF_8);

  @ParameterizedTest
  @ValueSource(
      strings = {
        "plain",
        "tls",
        "plain-ack",
        "tls-ack",
        "plain-durable",
        "tls-durable",
        "per-connection"
      })
  void aClosedLoopRunDeliversEveryMessageAndReportsIt(String mode) throws Exception {
    List<MessagingBenchmark.Result> results =
        new MessagingBenchmark(
                Modes.byName(mode), new MessagingBenchmark.Settings(200, 20, 0, 50, 64, 1, 60), out)
            .run();

    assertThat(results).hasSize(1);
    MessagingBenchmark.Result r = results.get(0);
    assertThat(r.complete()).isTrue();
    assertThat(r.received()).isEqualTo(200);
    assertThat(r.fromSchedule().getTotalCount()).isEqualTo(200);
    boolean pooled = !mode.equals("per-connection");
    assertThat(r.connections()).isEqualTo(pooled ? 1 : 220);
    if (pooled) {
      assertThat(r.outOfOrder()).isZero();
    }
    // The mode is what it says: TLS proves the sender, acks come back, a durable run writes.
    assertThat(r.verified()).isEqualTo(mode.startsWith("tls") ? 200 : 0);
    assertThat(r.acknowledged())
        .isEqualTo(mode.endsWith("-ack") || mode.endsWith("-durable") ? 200 : 0);
    if (mode.endsWith("-durable")) {
      assertThat(r.diskBytes()).isGreaterThan(200L * 64);
    } else {
      assertThat(r.diskBytes()).isZero();
    }
    assertThat(report.toString(StandardCharsets.UTF_8))
        .contains("run 1/1: 200 of 200 received")
        .contains("Summary " + mode);
  }

  @Test
  void anOpenLoopRunRecordsTheLatencyOfEveryMessage() throws Exception {
    List<MessagingBenchmark.Result> results =
        new MessagingBenchmark(
                Modes.PLAIN, new MessagingBenchmark.Settings(100, 0, 2_000, 50, 100, 1, 60), out)
            .run();

    MessagingBenchmark.Result r = results.get(0);
    assertThat(r.complete()).isTrue();
    assertThat(r.fromSchedule().getTotalCount()).isEqualTo(100);
    assertThat(r.fromCall().getTotalCount()).isEqualTo(100);
    assertThat(report.toString(StandardCharsets.UTF_8)).contains("open loop at 2000 messages/s");
  }

  @Test
  void anUnknownModeIsRefusedWithTheKnownNames() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Modes.byName("carrier-pigeon"))
        .hasMessageContaining("plain, tls, plain-ack, tls-ack, plain-durable, tls-durable");
  }
}
