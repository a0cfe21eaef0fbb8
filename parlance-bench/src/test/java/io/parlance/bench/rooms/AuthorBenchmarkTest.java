package io.parlance.bench.rooms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Runs the author benchmark once, tiny, so a broken tool fails the build. */
class AuthorBenchmarkTest {

  @Test
  void everyBurstIsShownByTheJoinedAndAcknowledgedByEveryMember() throws Exception {
    ByteArrayOutputStream report = new ByteArrayOutputStream();
    List<AuthorBenchmark.Result> results =
        AuthorBenchmark.run(4, 20, 1, 1, new PrintStream(report, true, StandardCharsets.UTF_8));

    // burst() returns only once the joined member showed all and nothing waits for an ack
    assertThat(results)
        .extracting(AuthorBenchmark.Result::label)
        .containsExactly("warm-up", "run 1/1");
    assertThat(results)
        .allSatisfy(
            r -> {
              assertThat(r.messages()).isEqualTo(20);
              assertThat(r.copies()).isEqualTo(3);
              assertThat(r.seconds()).isPositive();
            });
    assertThat(report.toString(StandardCharsets.UTF_8))
        .contains("Room of 4: one author, 1 joined member(s)")
        .contains("2 invited")
        .contains("run 1/1: 20 room messages shown");
  }

  @Test
  void aRoomWithoutAJoinedMemberIsRefusedBeforeAnythingStarts() {
    assertThatThrownBy(() -> AuthorBenchmark.run(4, 20, 0, 1, System.out))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1 <= joined");
  }
}
