package io.parlance.protocol;

import java.util.function.LongSupplier;

/**
 * A token bucket rate limiter: holds at most {@code capacity} tokens, gains {@code perSecond} a
 * second, and a caller may act only if it can take one. Thread-safe; never blocks.
 */
public final class TokenBucket {

  private final double capacity;
  private final double perNano;
  private final LongSupplier nanoClock;
  private double tokens;
  private long last;

  /**
   * Creates a full bucket on the system's monotonic clock.
   *
   * @param perSecond how many tokens it gains a second
   * @param capacity the most tokens it holds, so the largest burst
   */
  public TokenBucket(double perSecond, int capacity) {
    this(perSecond, capacity, System::nanoTime);
  }

  /**
   * Creates a full bucket on the given clock.
   *
   * @param perSecond how many tokens it gains a second
   * @param capacity the most tokens it holds, so the largest burst
   * @param nanoClock a monotonic clock in nanoseconds
   */
  public TokenBucket(double perSecond, int capacity, LongSupplier nanoClock) {
    if (!(perSecond > 0) || capacity < 1) {
      throw new IllegalArgumentException(
          "need a positive rate and capacity: " + perSecond + ", " + capacity);
    }
    this.capacity = capacity;
    this.perNano = perSecond / 1e9;
    this.nanoClock = nanoClock;
    this.tokens = capacity;
    this.last = nanoClock.getAsLong();
  }

  /**
   * Takes a token if there is one.
   *
   * @return true if one was taken: the caller may act
   */
  public synchronized boolean tryTake() {
    long now = nanoClock.getAsLong();
    tokens = Math.min(capacity, tokens + (now - last) * perNano);
    last = now;
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }
}
