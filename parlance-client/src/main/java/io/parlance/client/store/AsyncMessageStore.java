package io.parlance.client.store;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A {@link MessageStore} confined to one thread of its own, so no disk work ever runs on a Netty
 * event loop or the terminal thread. Every call returns at once with a future; calls run in the
 * order they were made.
 */
public final class AsyncMessageStore implements AutoCloseable {

  private final MessageStore store;
  private final ExecutorService thread;

  /**
   * Wraps a store; the store is used only from the new thread from now on.
   *
   * @param store the store
   */
  public AsyncMessageStore(MessageStore store) {
    this.store = store;
    this.thread =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "parlance-store");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Runs a function with the store on the store's thread.
   *
   * @param work what to do
   * @param <T> the result type
   * @return the result, or the failure
   */
  public <T> CompletableFuture<T> submit(Function<MessageStore, T> work) {
    return CompletableFuture.supplyAsync(() -> work.apply(store), thread);
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

  /** Finishes the queued work, then closes the database. */
  @Override
  public void close() {
    thread.shutdown();
    try {
      if (!thread.awaitTermination(10, TimeUnit.SECONDS)) {
        thread.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      store.close();
    }
  }
}
