package io.parlance.protocol;

import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * One thread that runs the tasks handed to it in order, and a periodic task when it has nothing
 * else to do. Handing it a task never blocks the caller (a lock-free queue and an unpark), so event
 * loops submit to it, and complete futures whose continuations run on it, freely. The server's
 * mailbox store and the peer's mail courier each run on one.
 */
public final class TaskThread implements Executor {

  /** What {@link #execute} does with a task handed to it once the thread is stopping. */
  public enum AfterStop {
    /** Throw {@link RejectedExecutionException}, so the caller can answer "shutting down". */
    REJECT,
    /** Drop it without a word (continuations of futures that complete after the stop). */
    DROP
  }

  private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final String name;
  private final Thread thread;
  private final Runnable periodic;
  private final long periodNanos;
  private final AfterStop afterStop;
  private final Consumer<RuntimeException> onFailure;
  private volatile boolean stopping;
  private volatile boolean finishQueued;
  private volatile long soonAt = Long.MAX_VALUE;

  /**
   * Starts the thread (a daemon).
   *
   * @param name the thread's name, also used in its log lines
   * @param periodic the task to run every period
   * @param period how often
   * @param afterStop what a task handed to a stopping thread meets
   * @param onFailure told of a task that threw (the thread goes on with the next)
   */
  public TaskThread(
      String name,
      Runnable periodic,
      Duration period,
      AfterStop afterStop,
      Consumer<RuntimeException> onFailure) {
    this.name = name;
    this.periodic = periodic;
    this.periodNanos = period.toNanos();
    this.afterStop = afterStop;
    this.onFailure = onFailure;
    this.thread = new Thread(this::loop, name);
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public void execute(Runnable task) {
    if (stopping) {
      if (afterStop == AfterStop.REJECT) {
        throw new RejectedExecutionException(name + " is shutting down");
      }
      return;
    }
    tasks.add(task);
    LockSupport.unpark(thread);
  }

  /**
   * Runs the periodic task once after a delay, besides its period.
   *
   * @param delay the delay
   */
  public void periodicSoon(Duration delay) {
    soonAt = System.nanoTime() + delay.toNanos();
    LockSupport.unpark(thread);
  }

  private void loop() {
    long next = System.nanoTime() + periodNanos;
    while (!stopping || finishQueued) {
      Runnable task = tasks.poll();
      if (task == null) {
        if (stopping) {
          return;
        }
        long now = System.nanoTime();
        long soon = soonAt;
        long wait = Math.min(next - now, soon - now);
        if (wait > 0) {
          LockSupport.parkNanos(this, wait);
          continue;
        }
        if (soon - now <= 0) {
          soonAt = Long.MAX_VALUE;
        } else {
          next = now + periodNanos;
        }
        task = periodic;
      }
      try {
        task.run();
      } catch (RuntimeException e) {
        onFailure.accept(e);
      }
    }
  }

  /**
   * Stops and waits for the thread.
   *
   * @param finishQueued whether the tasks already queued run first (else only the one running now
   *     finishes and the rest are dropped)
   * @param timeout how long to wait
   * @return whether it stopped in time
   */
  public boolean stop(boolean finishQueued, Duration timeout) {
    this.finishQueued = finishQueued;
    stopping = true;
    LockSupport.unpark(thread);
    try {
      thread.join(Math.max(1, timeout.toMillis()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return !thread.isAlive();
  }
}
