package io.parlance.client.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A full disk (SQLite's page cap standing in for it) fails writes, then the store recovers. */
class FullDiskTest {

  private static final String BIG = "x".repeat(3000);

  @TempDir Path dir;

  @Test
  void writesOnAFullDiskFailClearlyAndTheStoreRecoversByItselfOnceThereIsRoom() throws Exception {
    Path file = dir.resolve("messages.db");
    try (AsyncMessageStore store = new AsyncMessageStore(MessageStore.open(file))) {
      assertThat(store.submit(s -> s.receive("m-0", "bob", "bob", BIG, 0)).get()).isTrue();
      DiskSpace.leaveRoomFor(store, 0);

      List<CompletableFuture<Boolean>> refused = new ArrayList<>();
      for (int i = 1; i <= 5; i++) {
        String id = "m-" + i;
        refused.add(store.submit(s -> s.receive(id, "bob", "bob", BIG, 1)));
      }
      for (CompletableFuture<Boolean> f : refused) {
        assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS))
            .isInstanceOf(ExecutionException.class)
            .cause()
            .isInstanceOf(StoreException.class)
            .hasMessageContaining("the disk holding the history database " + file + " is full")
            .hasMessageContaining("free some space");
      }

      DiskSpace.free(store);
      // Writes succeed again at once, with no restart: the same ids are new, so nothing of the
      // refused writes was kept.
      for (int i = 1; i <= 5; i++) {
        String id = "m-" + i;
        assertThat(store.submit(s -> s.receive(id, "bob", "bob", BIG, 1)).get(10, TimeUnit.SECONDS))
            .isTrue();
      }
      assertThat(store.enqueue("bob", "bob", "and sending works", 2).get(10, TimeUnit.SECONDS))
          .isNotNull();
      assertThat(store.history("bob", 100).get()).hasSize(7);
    }
  }
}
