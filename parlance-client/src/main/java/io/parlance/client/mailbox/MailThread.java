package io.parlance.client.mailbox;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The courier's thread: runs tasks in order, and a periodic task. Handing it a task never blocks (a
 * lock-free queue and an unpark), so event loops may complete futures whose continuations run here.
 */
final class MailThread implements Executor {

  private static final Logger LOG = LoggerFactory.getLogger(MailThread.class);

  private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
  private final Thread thread;
  private final Runnable periodic;
  private final long periodNanos;
  private volatile boolean stopped;
  private volatile long soonAt = Long.MAX_VALUE;

  MailThread(String name, Runnable periodic, long periodNanos) {
    this.periodic = periodic;
    this.periodNanos = periodNanos;
    this.thread = new Thread(this::loop, name);
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public void execute(Runnable task) {
    if (stopped) {
      return;
    }
    tasks.add(task);
    LockSupport.unpark(thread);
  }

  /**
   * Runs the periodic task after a delay (once), besides its period.
   *
   * @param delayNanos the delay
   */
  void periodicSoon(long delayNanos) {
    soonAt = System.nanoTime() + delayNanos;
    LockSupport.unpark(thread);
  }

  private void loop() {
    long next = System.nanoTime() + periodNanos;
    while (!stopped) {
      Runnable task = tasks.poll();
      if (task == null) {
        long now = System.nanoTime();
        long soon = soonAt;
        long wait = Math.min(next - now, soon - now);
        if (wait <= 0) {
          if (soon - now <= 0) {
            soonAt = Long.MAX_VALUE;
          } else {
            next = now + periodNanos;
          }
          task = periodic;
        } else {
          LockSupport.parkNanos(this, wait);
          continue;
        }
      }
      try {
        task.run();
      } catch (RuntimeException e) {
        LOG.warn("A mail task failed: {}", e.toString());
      }
    }
  }

  /** Stops after the task running now, dropping the others; waits up to two seconds. */
  void stop() {
    stopped = true;
    LockSupport.unpark(thread);
    try {
      thread.join(TimeUnit.SECONDS.toMillis(2));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
