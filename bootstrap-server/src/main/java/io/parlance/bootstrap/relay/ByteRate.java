package io.parlance.bootstrap.relay;

import java.util.function.LongSupplier;

/**
 * A byte budget that refills at a steady rate, up to one second's worth: {@link #take} spends bytes
 * (going into debt if need be) and says how long to pause until the debt is paid. Not thread-safe:
 * each direction of a session uses its own, on its own event loop.
 */
final class ByteRate {

  private final double perNano;
  private final double capacity;
  private final LongSupplier clock;
  private double available;
  private long last;

  ByteRate(long bytesPerSecond, LongSupplier nanoClock) {
    this.perNano = bytesPerSecond / 1e9;
    this.capacity = bytesPerSecond;
    this.clock = nanoClock;
    this.available = capacity;
    this.last = nanoClock.getAsLong();
  }

  /**
   * Spends bytes.
   *
   * @param bytes the bytes just forwarded
   * @return nanoseconds to pause reading so the rate holds, 0 if none
   */
  long take(int bytes) {
    long now = clock.getAsLong();
    available = Math.min(capacity, available + (now - last) * perNano);
    last = now;
    available -= bytes;
    return available >= 0 ? 0 : (long) Math.ceil(-available / perNano);
  }
}
