package io.parlance.client.store;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link MessageStore} confined to one thread of its own, so no disk work ever runs on a Netty
 * event loop or the terminal thread. Every call returns at once with a future; calls run in the
 * order they were made.
 *
 * <p><b>Group commit.</b> The thread takes every call waiting in its queue (up to {@value
 * #MAX_BATCH}) and runs them in one transaction, then commits once and completes the futures in
 * order. A future completes only after the commit, so a completed write is on disk; a burst of
 * messages costs one disk flush instead of one each. A failing call undoes only its own writes:
 * when one fails, the transaction is rolled back and the batch runs again with each call in a
 * savepoint of its own. So a call's work may run twice, and must do nothing but use the store.
 *
 * <p>The queue is bounded: a call beyond {@link #capacity()} waiting ones fails at once with a
 * {@link StoreException} rather than growing the heap. Continuations attached to the futures
 * without an executor run on the store thread: keep them short, or hand off.
 */
public final class AsyncMessageStore implements AutoCloseable {

  /** The default number of calls that may wait. */
  public static final int DEFAULT_CAPACITY = 65_536;

  /** The most calls run in one transaction. */
  static final int MAX_BATCH = 1024;

  /**
   * How many stored messages wait for the full-text index before it is filled while work keeps
   * coming; otherwise it is filled once the store has been idle for a poll (100 ms). See {@link
   * MessageStore#indexPending(int)}.
   */
  static final int INDEX_BATCH = 2048;

  private static final Logger LOG = LoggerFactory.getLogger(AsyncMessageStore.class);
  private static final long CLOSE_WAIT_SECONDS = 10;

  private final MessageStore store;
  private final BlockingQueue<Task<?>> queue;
  private final int capacity;
  private final Thread thread;
  private final Object admission = new Object();
  private boolean closed; // guarded by admission
  private volatile boolean stopping;

  /** Set once SQLite reports the database corrupt: every call fails with it from then on. */
  private volatile StoreException damaged;

  private record Task<T>(Function<MessageStore, T> work, CompletableFuture<T> future) {
    void run(MessageStore store, boolean inSavepoint, List<Runnable> completions) {
      T result = inSavepoint ? store.savepoint(work) : work.apply(store);
      completions.add(() -> future.complete(result));
    }
  }

  /**
   * Wraps a store with the default queue capacity; the store is used only from the new thread from
   * now on.
   *
   * @param store the store
   */
  public AsyncMessageStore(MessageStore store) {
    this(store, DEFAULT_CAPACITY);
  }

  /**
   * Wraps a store; the store is used only from the new thread from now on.
   *
   * @param store the store
   * @param capacity how many calls may wait before new ones are refused
   */
  public AsyncMessageStore(MessageStore store, int capacity) {
    this.store = Objects.requireNonNull(store, "store");
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
    }
    this.capacity = capacity;
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.thread = new Thread(this::loop, "parlance-store");
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Returns how many calls may wait before new ones are refused.
   *
   * @return the capacity
   */
  public int capacity() {
    return capacity;
  }

  /**
   * Runs a function with the store on the store's thread, in a transaction shared with the calls
   * queued with it.
   *
   * @param work what to do
   * @param <T> the result type
   * @return the result, once committed; or the failure (a {@link StoreException} when the store is
   *     closed or its queue is full)
   */
  public <T> CompletableFuture<T> submit(Function<MessageStore, T> work) {
    return submit(work, null);
  }

  /**
   * Runs a function with the store on the store's thread, then a callback with its outcome on the
   * same thread right after the commit. Callbacks run in the order the calls were made, which a
   * continuation attached to the returned future does not promise (it runs on the caller's thread
   * when the work finished first).
   *
   * @param work what to do
   * @param whenDone called with the result or the failure; must be short and must not block
   * @param <T> the result type
   * @return the result, once committed; or the failure
   */
  public <T> CompletableFuture<T> submit(
      Function<MessageStore, T> work, BiConsumer<? super T, ? super Throwable> whenDone) {
    Objects.requireNonNull(work, "work");
    CompletableFuture<T> future = new CompletableFuture<>();
    if (whenDone != null) {
      future.whenComplete(
          (result, error) -> {
            try {
              whenDone.accept(result, error);
            } catch (RuntimeException e) {
              LOG.warn("A store callback failed", e);
            }
          });
    }
    synchronized (admission) {
      StoreException corrupt = damaged;
      if (corrupt != null) {
        future.completeExceptionally(corrupt);
      } else if (closed) {
        future.completeExceptionally(new StoreException("the message store is closed"));
      } else if (!queue.offer(new Task<>(work, future))) {
        future.completeExceptionally(
            new StoreException(
                "the message store is overloaded: " + capacity + " operations are waiting"));
      }
    }
    return future;
  }

  /**
   * See {@link MessageStore#enqueue}.
   *
   * @param peer the recipient's key
   * @param nickname the recipient's nickname
   * @param content the text
   * @param timestamp the send time
   * @return the stored message
   */
  public CompletableFuture<StoredMessage> enqueue(
      String peer, String nickname, String content, long timestamp) {
    return submit(s -> s.enqueue(peer, nickname, content, timestamp));
  }

  /**
   * See {@link MessageStore#history}.
   *
   * @param peerOrNickname the conversation
   * @param limit how many
   * @return the messages, oldest first
   */
  public CompletableFuture<List<StoredMessage>> history(String peerOrNickname, int limit) {
    return submit(s -> s.history(peerOrNickname, limit));
  }

  /**
   * See {@link MessageStore#search}.
   *
   * @param text the words
   * @param limit how many
   * @return the matches, most recent first
   */
  public CompletableFuture<List<StoredMessage>> search(String text, int limit) {
    return submit(s -> s.search(text, limit));
  }

  private void loop() {
    List<Task<?>> batch = new ArrayList<>(MAX_BATCH);
    try {
      while (true) {
        Task<?> first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          if (stopping && queue.isEmpty()) {
            return;
          }
          if (store.unindexed() > 0 && damaged == null) {
            index(); // idle for a moment: the index catches up
          }
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, MAX_BATCH - 1);
        runBatch(batch);
        batch.clear();
        if (store.unindexed() >= INDEX_BATCH && damaged == null) {
          index();
        }
        if (stopping && queue.isEmpty()) {
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      if (store.unindexed() > 0 && damaged == null) {
        index();
      }
      store.close();
    }
  }

  /**
   * Fills the full-text index with what was stored since it was last filled, in a transaction of
   * its own after the batch was committed and its futures completed, so acknowledgements never wait
   * for it. A failure loses nothing: the messages are stored, and the next fill or search indexes
   * them.
   */
  private void index() {
    try {
      store.begin();
      store.indexPending(MAX_INDEX);
      store.commit();
      indexFailing = false;
    } catch (RuntimeException e) {
      store.recover();
      noteCorruption(e);
      if (!indexFailing) {
        indexFailing = true; // one warning until it works again, not one per batch
        LOG.warn("Cannot fill the search index now (a search fills it): {}", e.getMessage());
      }
    }
  }

  /** The last fill of the index failed; used on the store thread only. */
  private boolean indexFailing;

  /** The most messages one fill of the index takes, so one fill stays short. */
  private static final int MAX_INDEX = 16_384;

  private void runBatch(List<Task<?>> batch) {
    StoreException corrupt = damaged;
    if (corrupt != null) {
      batch.forEach(t -> t.future().completeExceptionally(corrupt));
      return;
    }
    if (!runInOneTransaction(batch, false)) {
      runInOneTransaction(batch, true);
    }
  }

  /**
   * Runs the batch in one transaction and completes its futures after the commit. Without
   * savepoints (the common case) a failing call rolls the whole transaction back; with one
   * savepoint per call, a failing call undoes only its own writes and fails only its own future.
   *
   * @return false if, without savepoints, a call failed: nothing of the batch was kept, and it must
   *     run again with them
   */
  private boolean runInOneTransaction(List<Task<?>> batch, boolean savepoints) {
    // The calls that failed in a transaction SQLite then rolled back whole: they are left out of
    // the next try, and the others run again. Each try fails one more call, so this ends.
    Map<Task<?>, RuntimeException> failedBefore = new IdentityHashMap<>();
    while (true) {
      List<Runnable> completions = new ArrayList<>(batch.size());
      try {
        store.begin();
      } catch (RuntimeException e) {
        store.recover();
        noteCorruption(e);
        batch.forEach(t -> t.future().completeExceptionally(e));
        return true;
      }
      boolean again = false;
      try {
        for (Task<?> task : batch) {
          RuntimeException earlier = failedBefore.get(task);
          if (earlier != null) {
            completions.add(() -> task.future().completeExceptionally(earlier));
            continue;
          }
          try {
            task.run(store, savepoints, completions);
          } catch (RuntimeException e) {
            if (!savepoints) {
              store.recover();
              return false;
            }
            noteCorruption(e);
            if (store.transactionLost()) {
              failedBefore.put(task, e);
              store.recover();
              again = true;
              break;
            }
            completions.add(() -> task.future().completeExceptionally(e));
          }
        }
        if (!again) {
          store.commit();
        }
      } catch (RuntimeException | Error e) {
        failed(batch, e);
        return true;
      }
      if (!again) {
        completions.forEach(Runnable::run);
        return true;
      }
    }
  }

  private void failed(List<Task<?>> batch, Throwable e) {
    store.recover();
    noteCorruption(e);
    LOG.warn("A transaction of {} store operation(s) failed: {}", batch.size(), e.toString());
    batch.forEach(t -> t.future().completeExceptionally(e));
    if (e instanceof Error error) {
      throw error;
    }
  }

  /**
   * Stops trusting the database once SQLite says it is corrupt: a write that seems to succeed on a
   * damaged file may be lost, so nothing more is stored, and so nothing more acknowledged.
   */
  private void noteCorruption(Throwable e) {
    if (damaged == null && e instanceof StoreException s && MessageStore.isCorruption(s)) {
      LOG.error("The history database is corrupt; refusing every store call: {}", s.getMessage());
      damaged = s;
      store.damaged(); // so the next start checks it again
    }
  }

  /** Refuses new calls, finishes the queued ones (waiting up to 10 s), then closes the database. */
  @Override
  public void close() {
    synchronized (admission) {
      if (closed) {
        return;
      }
      closed = true;
    }
    stopping = true;
    // Wakes the thread if it is waiting for work, so closing takes no longer than the work left.
    queue.offer(new Task<>(s -> null, new CompletableFuture<>()));
    try {
      thread.join(TimeUnit.SECONDS.toMillis(CLOSE_WAIT_SECONDS));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (thread.isAlive()) {
      LOG.warn("The message store did not finish its work in {} s", CLOSE_WAIT_SECONDS);
      thread.interrupt();
    }
    StoreException gone = new StoreException("the message store is closed");
    for (Task<?> t; (t = queue.poll()) != null; ) {
      t.future().completeExceptionally(gone);
    }
  }
}
