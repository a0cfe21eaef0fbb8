package io.parlance.client.internet;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

  @Test
  void doublesFromTheMinimumToTheMaximumWithJitterInTheUpperHalf() {
    Backoff low = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30), () -> 0.0);
    Backoff high = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30), () -> 0.999_999);
    long[] lows = new long[10];
    long[] highs = new long[10];
    for (int i = 0; i < 10; i++) {
      lows[i] = low.next().toMillis();
      highs[i] = high.next().toMillis();
    }
    assertThat(lows).startsWith(250, 500, 1000, 2000, 4000, 8000, 15_000);
    assertThat(highs).startsWith(499, 999, 1999, 3999);
    assertThat(highs[9]).isBetween(29_000L, 30_000L);
    assertThat(lows[9]).isEqualTo(15_000);
  }

  @Test
  void startsAgainAfterAReset() {
    Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), () -> 0.0);
    b.next();
    b.next();
    b.reset();
    assertThat(b.next()).isEqualTo(Duration.ofMillis(50));
  }
}
