package io.parlance.bench.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Runs the relay benchmark once, tiny, so a broken tool fails the build. */
class RelayBenchmarkTest {

  @Test
  void everyPartMeasuresARealServerAndRealNodesOnBothPaths() throws Exception {
    ByteArrayOutputStream report = new ByteArrayOutputStream();
    RelayBenchmark.Report r =
        new RelayBenchmark(
                new RelayBenchmark.Settings(
                    1,
                    List.of(1, 2),
                    List.of(0, 3),
                    50,
                    5,
                    4096,
                    Set.of("throughput", "memory", "chat")),
                new PrintStream(report, true, StandardCharsets.UTF_8))
            .run();

    assertThat(r.throughput())
        .extracting(RelayBenchmark.Throughput::cap, RelayBenchmark.Throughput::sessions)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("lifted", 1),
            org.assertj.core.groups.Tuple.tuple("lifted", 2),
            org.assertj.core.groups.Tuple.tuple("default", 1),
            org.assertj.core.groups.Tuple.tuple("default", 2));
    // Bytes went through every point, in whole frames of the chosen size.
    assertThat(r.throughput())
        .allSatisfy(
            t -> {
              assertThat(t.frames()).isPositive();
              assertThat(t.bytes()).isEqualTo(t.frames() * 4096);
            });
    // At the default cap a session carries at most 4 MiB/s plus the bucket's burst: far below what
    // a second could carry uncapped on loopback, and never more than a few MiB in one second.
    RelayBenchmark.Throughput capped = r.throughput().get(2);
    assertThat(capped.bytes() / (capped.nanos() / 1e9)).isLessThan(16.0 * 1024 * 1024);

    assertThat(r.memory()).extracting(RelayBenchmark.Memory::sessions).containsExactly(0, 3);
    assertThat(r.memory()).allSatisfy(m -> assertThat(m.heapBytes()).isPositive());

    assertThat(r.chat()).hasSize(2);
    assertThat(r.chat().get(0).path()).isEqualTo("direct");
    assertThat(r.chat().get(1).path()).startsWith("relayed via 127.0.0.1:");
    assertThat(r.chat())
        .allSatisfy(
            c -> {
              assertThat(c.messages()).isEqualTo(50);
              assertThat(c.burstP50Nanos()).isPositive().isLessThanOrEqualTo(c.burstP99Nanos());
              assertThat(c.singleP50Nanos()).isPositive().isLessThanOrEqualTo(c.singleP99Nanos());
            });
    assertThat(report.toString(StandardCharsets.UTF_8))
        .contains("Throughput:")
        .contains("per session over 0")
        .contains("relayed via");
  }

  @Test
  void percentilesPickTheRankNotAnAverage() {
    long[] sorted = {1, 2, 3, 4, 5, 6, 7, 8, 9, 100};
    assertThat(RelayBenchmark.percentile(sorted, 50)).isEqualTo(5);
    assertThat(RelayBenchmark.percentile(sorted, 99)).isEqualTo(100);
    assertThat(RelayBenchmark.percentile(new long[0], 50)).isZero();
  }
}
