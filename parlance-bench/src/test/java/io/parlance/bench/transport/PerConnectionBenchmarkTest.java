package io.parlance.bench.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Runs the per-connection benchmark once, tiny, so a broken tool fails the build. */
class PerConnectionBenchmarkTest {

  @Test
  void bothReceiversGetEveryMessageOfASenderThatOpensAConnectionEach() throws Exception {
    ByteArrayOutputStream report = new ByteArrayOutputStream();
    List<PerConnectionBenchmark.Result> results =
        new PerConnectionBenchmark(
                new PerConnectionBenchmark.Settings(300, 50, 1),
                new PrintStream(report, true, StandardCharsets.UTF_8))
            .run();

    assertThat(results)
        .extracting(PerConnectionBenchmark.Result::receiver)
        .containsExactly("reference", "listener");
    assertThat(results).allSatisfy(r -> assertThat(r.received()).isEqualTo(300));
    assertThat(results).allSatisfy(r -> assertThat(r.lost()).isZero());
    assertThat(report.toString(StandardCharsets.UTF_8))
        .contains("Summary reference, 1 run(s)")
        .contains("Summary listener, 1 run(s)");
  }
}
