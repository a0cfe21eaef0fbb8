package io.parlance.client.internet;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code CompletableFuture.orTimeout} on a Netty event loop's own timer. The futures this is for
 * are completed on an event loop (a bootstrap server's answer, a punch's go), and {@code orTimeout}
 * cancels its timer there, which takes the lock of the JDK's one shared timer thread: a wait on the
 * loop whenever another thread holds it.
 */
public final class LoopTimeout {

  private LoopTimeout() {}

  /**
   * Fails the future with a {@link TimeoutException} if it is not complete in time.
   *
   * @param loop the event loop whose timer runs the timeout
   * @param future the future
   * @param millis the time allowed
   * @return the same future
   */
  public static <T> CompletableFuture<T> within(
      EventExecutor loop, CompletableFuture<T> future, long millis) {
    ScheduledFuture<?> timer =
        loop.schedule(
            () -> future.completeExceptionally(new TimeoutException()),
            millis,
            TimeUnit.MILLISECONDS);
    future.whenComplete((r, e) -> timer.cancel(false));
    return future;
  }
}
