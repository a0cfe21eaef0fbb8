package io.parlance.client.internet;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Exponential backoff with jitter: the n-th delay is drawn from [d/2, d] where d = min × 2^n,
 * capped at max, so a crowd of clients does not reconnect in step after a server restart.
 */
final class Backoff {

  private final long minMillis;
  private final long maxMillis;
  private final DoubleSupplier random;
  private int attempt;

  Backoff(Duration min, Duration max, DoubleSupplier random) {
    this.minMillis = Math.max(1, min.toMillis());
    this.maxMillis = Math.max(minMillis, max.toMillis());
    this.random = random;
  }

  /** Returns the next delay and counts the attempt. */
  Duration next() {
    long ceiling = minMillis << Math.min(attempt, 30);
    if (ceiling <= 0 || ceiling > maxMillis) {
      ceiling = maxMillis;
    }
    attempt++;
    long half = ceiling / 2;
    return Duration.ofMillis(half + (long) (random.getAsDouble() * (ceiling - half)));
  }

  /** Starts again from the shortest delay, after a success. */
  void reset() {
    attempt = 0;
  }
}
