package io.parlance.bench;

import java.util.concurrent.locks.LockSupport;

/** Sending on a fixed schedule (open loop): waits until a message is due. */
public final class Pacing {

  private Pacing() {}

  /**
   * Parks until a moment, which {@link LockSupport#parkNanos(long)} may overshoot.
   *
   * @param dueNanos when, on the {@link System#nanoTime()} clock
   * @return the time it is now, at or after {@code dueNanos}
   */
  public static long awaitDue(long dueNanos) {
    long now = System.nanoTime();
    while (now < dueNanos) {
      LockSupport.parkNanos(dueNanos - now);
      now = System.nanoTime();
    }
    return now;
  }
}
