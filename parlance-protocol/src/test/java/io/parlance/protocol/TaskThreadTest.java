package io.parlance.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TaskThreadTest {

  private static final Duration LONG = Duration.ofHours(1);

  @Test
  void runsTasksInTheOrderTheyCameAndGoesOnAfterOneThatThrows() throws Exception {
    List<Integer> ran = new CopyOnWriteArrayList<>();
    List<RuntimeException> failures = new CopyOnWriteArrayList<>();
    TaskThread t = new TaskThread("t", () -> {}, LONG, TaskThread.AfterStop.REJECT, failures::add);
    CountDownLatch done = new CountDownLatch(1);
    for (int i = 0; i < 1000; i++) {
      int n = i;
      t.execute(
          () -> {
            if (n == 500) {
              throw new IllegalStateException("boom");
            }
            ran.add(n);
          });
    }
    t.execute(done::countDown);
    assertTrue(done.await(10, TimeUnit.SECONDS));
    assertEquals(999, ran.size());
    for (int i = 1; i < ran.size(); i++) {
      assertTrue(ran.get(i - 1) < ran.get(i), "out of order at " + i);
    }
    assertEquals(1, failures.size());
    assertEquals("boom", failures.get(0).getMessage());
    assertTrue(t.stop(true, Duration.ofSeconds(5)));
  }

  @Test
  void runsThePeriodicTaskEveryPeriodAndOnceSoonWhenAsked() throws Exception {
    CountDownLatch ticks = new CountDownLatch(3);
    TaskThread t =
        new TaskThread(
            "t", ticks::countDown, Duration.ofMillis(20), TaskThread.AfterStop.DROP, e -> {});
    assertTrue(ticks.await(10, TimeUnit.SECONDS));
    t.stop(false, Duration.ofSeconds(5));

    CountDownLatch soon = new CountDownLatch(1);
    TaskThread slow =
        new TaskThread("t", soon::countDown, LONG, TaskThread.AfterStop.DROP, e -> {});
    assertEquals(1, soon.getCount(), "a periodic task an hour away has not run");
    slow.periodicSoon(Duration.ofMillis(10));
    assertTrue(soon.await(10, TimeUnit.SECONDS));
    slow.stop(false, Duration.ofSeconds(5));
  }

  @Test
  void aStopThatFinishesTheQueueRunsEveryQueuedTaskThenRejectsNewOnes() throws Exception {
    AtomicInteger ran = new AtomicInteger();
    CountDownLatch gate = new CountDownLatch(1);
    TaskThread t = new TaskThread("store", () -> {}, LONG, TaskThread.AfterStop.REJECT, e -> {});
    t.execute(() -> awaitQuietly(gate));
    for (int i = 0; i < 100; i++) {
      t.execute(ran::incrementAndGet);
    }
    Thread opener = new Thread(() -> sleepThen(200, gate::countDown));
    opener.start();
    assertTrue(t.stop(true, Duration.ofSeconds(10)));
    assertEquals(100, ran.get());
    RejectedExecutionException e =
        assertThrows(RejectedExecutionException.class, () -> t.execute(ran::incrementAndGet));
    assertEquals("store is shutting down", e.getMessage());
    opener.join();
  }

  @Test
  void aStopThatDropsTheQueueRunsNoneOfItAndDropsNewTasksSilently() throws Exception {
    AtomicInteger ran = new AtomicInteger();
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch gate = new CountDownLatch(1);
    TaskThread t = new TaskThread("mail", () -> {}, LONG, TaskThread.AfterStop.DROP, e -> {});
    t.execute(
        () -> {
          running.countDown();
          awaitQuietly(gate);
        });
    for (int i = 0; i < 100; i++) {
      t.execute(ran::incrementAndGet);
    }
    assertTrue(running.await(10, TimeUnit.SECONDS));
    Thread opener = new Thread(() -> sleepThen(200, gate::countDown));
    opener.start();
    assertTrue(t.stop(false, Duration.ofSeconds(10)));
    t.execute(ran::incrementAndGet);
    assertEquals(0, ran.get());
    opener.join();
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void sleepThen(long millis, Runnable then) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    then.run();
  }
}
