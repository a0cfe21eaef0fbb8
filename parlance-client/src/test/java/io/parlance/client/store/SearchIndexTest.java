package io.parlance.client.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The full-text index is filled in batches (V6), not by a trigger per message: a search still finds
 * every stored message, the index catches up by itself when the store is idle, and a crash before
 * it was filled loses nothing from search.
 */
class SearchIndexTest {

  @TempDir Path dir;

  private static final String BOB =
      "ABCD-EFGH-IJKL-MNOP-QRST-UVWX-YZ23-4567-ABCD-EFGH-IJKL-MNOP-QRST";

  /** What the index itself holds for a word, read with a connection of its own. */
  private static int indexed(Path file, String word) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT count(*) FROM messages_fts WHERE messages_fts MATCH '\"" + word + "\"'")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  @Test
  void aStoredMessageIsNotIndexedOnInsertButASearchFindsItAndIndexesItOnce() throws Exception {
    Path file = dir.resolve("messages.db");
    try (MessageStore store = MessageStore.open(file)) {
      store.receive("id-1", BOB, "bob", "the zebra crossing", 1);
      store.enqueue(BOB, "bob", "a zebra again", 2);
      assertThat(store.unindexed()).isEqualTo(2);
      assertThat(indexed(file, "zebra")).isZero(); // no trigger filled it

      assertThat(store.search("zebra", 10))
          .extracting(StoredMessage::content)
          .containsExactly("a zebra again", "the zebra crossing");
      assertThat(store.unindexed()).isZero();
      assertThat(indexed(file, "zebra")).isEqualTo(2);

      // Searching again indexes nothing twice; a later message joins the index.
      store.receive("id-2", BOB, "bob", "zebra three", 3);
      assertThat(store.search("zebra", 10)).hasSize(3);
      assertThat(store.search("zebra", 10)).hasSize(3);
      assertThat(indexed(file, "zebra")).isEqualTo(3);
      assertThat(store.search("bob crossing", 10)).hasSize(1); // the nickname is indexed too
    }
  }

  @Test
  void indexingTakesAtMostTheLimitOldestFirstAndCarriesOnWhereItStopped() throws Exception {
    Path file = dir.resolve("messages.db");
    try (MessageStore store = MessageStore.open(file)) {
      for (int i = 0; i < 5; i++) {
        store.receive("id-" + i, BOB, "bob", "walrus " + i, i);
      }
      assertThat(store.indexPending(2)).isEqualTo(2);
      assertThat(indexed(file, "walrus")).isEqualTo(2);
      assertThat(indexed(file, "0")).isEqualTo(1);
      assertThat(indexed(file, "4")).isZero();
      assertThat(store.indexPending(100)).isEqualTo(3);
      assertThat(store.indexPending(100)).isZero();
      assertThat(indexed(file, "walrus")).isEqualTo(5);
    }
  }

  @Test
  void theAsyncStoreFillsTheIndexByItselfOnceIdleWithoutASearch() throws Exception {
    Path file = dir.resolve("messages.db");
    try (AsyncMessageStore async = new AsyncMessageStore(MessageStore.open(file))) {
      for (int i = 0; i < 50; i++) {
        int n = i;
        async
            .submit(s -> s.receive("id-" + n, BOB, "bob", "otter " + n, n))
            .get(20, TimeUnit.SECONDS);
      }
      await().atMost(Duration.ofSeconds(20)).until(() -> indexed(file, "otter") == 50);
    }
  }

  @Test
  void aBusyAsyncStoreFillsTheIndexEveryBatchOfMessagesWithoutWaitingToBeIdle() throws Exception {
    Path file = dir.resolve("messages.db");
    int many = AsyncMessageStore.INDEX_BATCH + 10;
    try (AsyncMessageStore async = new AsyncMessageStore(MessageStore.open(file))) {
      async
          .submit(
              s -> {
                for (int i = 0; i < many; i++) {
                  s.receive("id-" + i, BOB, "bob", "heron " + i, i);
                }
                return null;
              })
          .get(20, TimeUnit.SECONDS);
      // The very next call runs after the fill that the batch's size called for.
      int left = async.submit(MessageStore::unindexed).get(20, TimeUnit.SECONDS);
      assertThat(left).isZero();
      assertThat(indexed(file, "heron")).isEqualTo(many);
    }
  }

  @Test
  void messagesLeftOutOfTheIndexByACrashAreFoundReadOnlyAndIndexedAtTheNextStart()
      throws Exception {
    Path file = dir.resolve("messages.db");
    try (MessageStore store = MessageStore.open(file)) {
      store.receive("id-1", BOB, "bob", "indexed badger", 1);
      store.search("badger", 1);
      store.receive("id-2", BOB, "bob", "Unindexed Badger", 2); // then the process dies
    }
    assertThat(indexed(file, "badger")).isEqualTo(1);

    try (MessageStore readOnly = MessageStore.openReadOnly(file)) {
      assertThat(readOnly.search("badger", 10))
          .extracting(StoredMessage::content)
          .containsExactly("Unindexed Badger", "indexed badger");
      assertThat(readOnly.search("unindexed BADGER", 10)).hasSize(1);
      assertThat(readOnly.search("badger", 1)).hasSize(1);
      assertThat(readOnly.search("weasel", 10)).isEmpty();
    }
    assertThat(indexed(file, "badger")).isEqualTo(1); // reading wrote nothing

    try (MessageStore store = MessageStore.open(file)) {
      assertThat(store.unindexed()).isZero();
      assertThat(indexed(file, "badger")).isEqualTo(2);
      assertThat(store.search("badger", 10)).hasSize(2);
    }
  }

  @Test
  void deletingAMessageTakesItOutOfTheIndexOnlyIfItWasIndexed() throws Exception {
    Path file = dir.resolve("messages.db");
    try (MessageStore store = MessageStore.open(file)) {
      store.receive("id-1", BOB, "bob", "indexed lynx", 1);
      store.search("lynx", 1);
      store.receive("id-2", BOB, "bob", "unindexed lynx", 2);
    }
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement s = c.createStatement()) {
      s.executeUpdate("DELETE FROM messages");
      // Fails (SQLITE_CORRUPT_VTAB) if the index and the table disagree, as a 'delete' of a
      // message the index never held would make them.
      s.execute("INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)");
    }
    assertThat(indexed(file, "lynx")).isZero();
    try (MessageStore store = MessageStore.open(file)) {
      assertThat(store.search("lynx", 10)).isEmpty();
    }
  }
}
