package io.parlance.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

class LogLimiterTest {

  private final AtomicLong now = new AtomicLong();
  private final LogLimiter limiter = new LogLimiter(3, Duration.ofSeconds(10), now::get);
  private final List<String> lines = new ArrayList<>();

  private void warn(String what) {
    limiter.log(more -> lines.add(what + more));
  }

  @Test
  void aBurstIsWrittenThenFurtherLinesAreHeldBack() {
    for (int i = 0; i < 1000; i++) {
      warn("bad " + i);
    }

    assertThat(lines).containsExactly("bad 0", "bad 1", "bad 2");
    assertThat(limiter.held()).isEqualTo(997);
  }

  @Test
  void theNextLineAfterTheIntervalSaysHowManyWereHeldBack() {
    for (int i = 0; i < 10; i++) {
      warn("bad");
    }
    now.addAndGet(Duration.ofSeconds(10).toNanos());
    warn("later");
    warn("again");

    assertThat(lines).containsExactly("bad", "bad", "bad", "later (7 more like it not logged)");
    assertThat(limiter.held()).isEqualTo(1);
  }

  @Test
  void aSteadyFloodIsWrittenAtOneLinePerInterval() {
    // 100,000 bad inputs over ten minutes, one every 6 ms.
    for (int i = 0; i < 100_000; i++) {
      now.addAndGet(Duration.ofMillis(6).toNanos());
      warn("bad");
    }

    assertThat(lines).hasSizeBetween(60, 64);
  }

  @Test
  void aNonPositiveIntervalIsRefused() {
    assertThatThrownBy(() -> new LogLimiter(1, Duration.ZERO, now::get))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void oneLineNeutralisesControlCharactersAndCutsLongText() {
    assertThat(LogLimiter.oneLine("ok\n\r\u001b[2K[20:11:08] alice: hi\u202e\u0007"))
        .isEqualTo("ok???[2K[20:11:08] alice: hi??");
    assertThat(LogLimiter.oneLine("x".repeat(10_000)))
        .hasSize(LogLimiter.MAX_TEXT + 1)
        .endsWith("…");
    assertThat(LogLimiter.oneLine(null)).isEmpty();
  }

  @Test
  void oneLineReplacesAHexDump() {
    assertThat(LogLimiter.oneLine("not an SSL/TLS record: 16" + "a3f09b".repeat(60)))
        .isEqualTo("not an SSL/TLS record: <hex>");
  }

  @Test
  void describeGivesTheInnermostMessageOnOneLine() {
    Exception wrapped =
        new IllegalStateException(
            "outer", new SSLHandshakeException("Insufficient buffer remaining\nfor AEAD"));

    assertThat(LogLimiter.describe(wrapped)).isEqualTo("Insufficient buffer remaining?for AEAD");
    assertThat(LogLimiter.describe(new IllegalStateException())).isEqualTo("IllegalStateException");
  }
}
