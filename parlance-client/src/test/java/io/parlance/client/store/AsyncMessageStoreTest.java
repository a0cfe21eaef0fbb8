package io.parlance.client.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AsyncMessageStoreTest {

  @TempDir Path dir;

  /** Holds the store thread in a call until released, so the calls made meanwhile form a batch. */
  private static CountDownLatch hold(AsyncMessageStore async) throws InterruptedException {
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    async.submit(
        s -> {
          running.countDown();
          try {
            release.await(10, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return null;
        });
    assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
    return release;
  }

  @Test
  void aFailingCallUndoesOnlyItsOwnWritesAndTheRestOfItsBatchIsCommitted() throws Exception {
    Path file = dir.resolve("messages.db");
    List<CompletableFuture<StoredMessage>> good = new ArrayList<>();
    CompletableFuture<Object> bad;
    try (AsyncMessageStore async = new AsyncMessageStore(MessageStore.open(file))) {
      CountDownLatch release = hold(async);
      good.add(async.enqueue("bob", "bob", "before", 1));
      bad =
          async.submit(
              s -> {
                s.enqueue("bob", "bob", "undone", 2);
                throw new IllegalStateException("this call fails after writing");
              });
      good.add(async.enqueue("bob", "bob", "after", 3));
      release.countDown();

      assertThatThrownBy(bad::get)
          .isInstanceOf(ExecutionException.class)
          .hasRootCauseMessage("this call fails after writing");
      assertThat(good.get(0).get().content()).isEqualTo("before");
      assertThat(good.get(1).get().content()).isEqualTo("after");
    }
    // Reopened: what the futures reported is what is on disk, and the failed call left nothing.
    try (MessageStore reopened = MessageStore.open(file)) {
      assertThat(reopened.history("bob", 10))
          .extracting(StoredMessage::id)
          .containsExactly(good.get(0).get().id(), good.get(1).get().id());
    }
  }

  @Test
  void callsOfOneBatchCompleteInTheOrderTheyWereMade() throws Exception {
    try (AsyncMessageStore async = new AsyncMessageStore(MessageStore.inMemory())) {
      List<Integer> order = new ArrayList<>();
      CountDownLatch release = hold(async);
      List<CompletableFuture<Integer>> calls = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        int n = i;
        calls.add(
            async.submit(
                s -> {
                  if (n == 20) {
                    throw new IllegalArgumentException("call 20 fails");
                  }
                  s.enqueue("bob", "bob", "m" + n, n);
                  return n;
                },
                (result, error) -> order.add(error == null ? result : -1)));
      }
      release.countDown();
      // Callbacks run on the store thread in order: once a later call is done, so are they.
      async.submit(s -> null).get(10, TimeUnit.SECONDS);

      List<Integer> expected = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        expected.add(i == 20 ? -1 : i);
      }
      assertThat(order).isEqualTo(expected);
      assertThat(async.history("bob", 100).get()).hasSize(49);
    }
  }

  @Test
  void aFullQueueOrAClosedStoreRefusesACallAtOnce() throws Exception {
    AsyncMessageStore async = new AsyncMessageStore(MessageStore.inMemory(), 2);
    CountDownLatch release = hold(async);
    CompletableFuture<Integer> first = async.submit(s -> 1);
    CompletableFuture<Integer> second = async.submit(s -> 2);
    CompletableFuture<Integer> third = async.submit(s -> 3);

    assertThatThrownBy(third::get)
        .hasRootCauseMessage("the message store is overloaded: 2 operations are waiting");
    release.countDown();
    assertThat(first.get()).isEqualTo(1);
    assertThat(second.get()).isEqualTo(2);
    async.close();
    assertThatThrownBy(() -> async.submit(s -> 4).get())
        .hasRootCauseMessage("the message store is closed");
  }

  @Test
  void aCallWhoseFailureTookTheWholeTransactionWithItDoesNotTakeTheOtherCallsOfItsBatch()
      throws Exception {
    Path file = dir.resolve("messages.db");
    try (AsyncMessageStore async = new AsyncMessageStore(MessageStore.open(file))) {
      CountDownLatch release = hold(async);
      CompletableFuture<Boolean> before = async.submit(s -> s.receive("a", "bob", "bob", "one", 1));
      // A single-row insert has no statement journal: on a full disk SQLite rolls back the whole
      // transaction, the first call's insert too.
      CompletableFuture<Boolean> full =
          async.submit(
              s -> {
                s.capPages(0);
                try {
                  return s.receive("b", "bob", "bob", "x".repeat(20_000), 2);
                } finally {
                  s.capPages(-1);
                }
              });
      CompletableFuture<Boolean> after =
          async.submit(s -> s.receive("c", "bob", "bob", "three", 3));
      release.countDown();

      assertThat(before.get(10, TimeUnit.SECONDS)).isTrue();
      assertThat(after.get(10, TimeUnit.SECONDS)).isTrue();
      assertThatThrownBy(() -> full.get(10, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasMessageContaining("is full");
      // What the futures said is what is on disk.
      assertThat(async.history("bob", 10).get(10, TimeUnit.SECONDS))
          .extracting(StoredMessage::id)
          .containsExactly("a", "c");
    }
  }
}
