package io.parlance.bootstrap.mailbox;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mailbox's store thread: runs tasks in order, and the sweep every period. Handing it a task
 * never blocks the caller (a lock-free queue and an unpark), so event loops submit to it freely.
 */
final class StoreThread implements Executor {

  private static final Logger LOG = LoggerFactory.getLogger(StoreThread.class);

  private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final Thread thread;
  private final Runnable periodic;
  private final long periodNanos;
  private volatile boolean stopping;

  StoreThread(String name, Runnable periodic, long periodNanos) {
    this.periodic = periodic;
    this.periodNanos = periodNanos;
    this.thread = new Thread(this::loop, name);
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public void execute(Runnable task) {
    if (stopping) {
      throw new java.util.concurrent.RejectedExecutionException("the mailbox is shutting down");
    }
    tasks.add(task);
    LockSupport.unpark(thread);
  }

  private void loop() {
    long next = System.nanoTime() + periodNanos;
    while (true) {
      Runnable task = tasks.poll();
      if (task == null) {
        if (stopping) {
          return;
        }
        long wait = next - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(this, wait);
          continue;
        }
        next = System.nanoTime() + periodNanos;
        task = periodic;
      }
      try {
        task.run();
      } catch (RuntimeException e) {
        LOG.warn("A mailbox task failed: {}", e.toString());
      }
    }
  }

  /**
   * Runs the tasks queued so far, then stops.
   *
   * @param timeoutMillis how long to wait
   * @return whether it stopped in time
   */
  boolean stop(long timeoutMillis) {
    stopping = true;
    LockSupport.unpark(thread);
    try {
      thread.join(timeoutMillis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return !thread.isAlive();
  }

  static long millis(long ms) {
    return TimeUnit.MILLISECONDS.toNanos(ms);
  }
}
