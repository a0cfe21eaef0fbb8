package io.parlance.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TokenBucketTest {

  private final AtomicLong now = new AtomicLong(1_000);

  private int takeAll(TokenBucket bucket) {
    int taken = 0;
    while (bucket.tryTake()) {
      taken++;
    }
    return taken;
  }

  @Test
  void aFullBucketAllowsItsCapacityAtOnceThenRefillsAtItsRate() {
    TokenBucket bucket = new TokenBucket(4, 10, now::get);

    assertThat(takeAll(bucket)).isEqualTo(10);
    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(240));
    assertThat(bucket.tryTake()).isFalse(); // 0.96 of a token
    now.addAndGet(TimeUnit.MILLISECONDS.toNanos(10));
    assertThat(bucket.tryTake()).isTrue();
    now.addAndGet(TimeUnit.SECONDS.toNanos(1));
    assertThat(takeAll(bucket)).isEqualTo(4);
  }

  @Test
  void aLongPauseRefillsNoMoreThanTheCapacity() {
    TokenBucket bucket = new TokenBucket(100, 3, now::get);
    takeAll(bucket);

    now.addAndGet(TimeUnit.HOURS.toNanos(1));

    assertThat(takeAll(bucket)).isEqualTo(3);
  }

  @Test
  void aRateOrCapacityThatCouldNeverAllowAnythingIsRefused() {
    assertThatIllegalArgumentException().isThrownBy(() -> new TokenBucket(0, 1));
    assertThatIllegalArgumentException().isThrownBy(() -> new TokenBucket(Double.NaN, 1));
    assertThatIllegalArgumentException().isThrownBy(() -> new TokenBucket(1, 0));
  }
}
