package io.parlance.client.node;

import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers node events to listeners on one thread of its own, in order, through a bounded queue, so
 * event loops never wait for a listener; when the queue is full, events are dropped with a warning.
 */
final class EventDispatcher {

  private static final Logger LOG = LoggerFactory.getLogger(EventDispatcher.class);

  private final List<NodeListener> listeners = new CopyOnWriteArrayList<>();
  private final ThreadPoolExecutor executor;
  private final AtomicLong dropped = new AtomicLong();
  private volatile Thread thread;

  EventDispatcher(int capacity) {
    executor =
        new ThreadPoolExecutor(
            1,
            1,
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(capacity),
            r -> {
              Thread t = new Thread(r, "parlance-events");
              t.setDaemon(true);
              thread = t;
              return t;
            },
            (r, e) -> {
              throw new RejectedExecutionException();
            });
  }

  void add(NodeListener listener) {
    listeners.add(listener);
  }

  void remove(NodeListener listener) {
    listeners.remove(listener);
  }

  void publish(NodeEvent event) {
    try {
      executor.execute(() -> deliver(event));
    } catch (RejectedExecutionException e) {
      long n = dropped.incrementAndGet();
      if (n == 1 || n % 1000 == 0) {
        LOG.warn("Event queue full or closed; dropped {} event(s), the last: {}", n, event);
      }
    }
  }

  private void deliver(NodeEvent event) {
    for (NodeListener listener : listeners) {
      try {
        listener.onEvent(event);
      } catch (RuntimeException e) {
        LOG.warn("A listener failed on {}", event, e);
      }
    }
  }

  boolean onDispatchThread() {
    return Thread.currentThread() == thread;
  }

  /** Delivers what is queued, then stops; waits at most the given time unless on its own thread. */
  void close(long timeoutMillis) throws InterruptedException {
    executor.shutdown();
    if (!onDispatchThread()) {
      executor.awaitTermination(timeoutMillis, TimeUnit.MILLISECONDS);
    }
  }

  long dropped() {
    return dropped.get();
  }
}
