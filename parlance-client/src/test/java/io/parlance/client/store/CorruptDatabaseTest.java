package io.parlance.client.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/** A damaged history database is refused at start, and distrusted once SQLite reports damage. */
class CorruptDatabaseTest {

  @TempDir Path dir;

  /** A database of a few hundred pages, closed (so its WAL is folded in and removed). */
  private Path databaseWithMessages() {
    Path file = dir.resolve("messages.db");
    try (MessageStore store = MessageStore.open(file)) {
      store.begin();
      for (int i = 0; i < 3000; i++) {
        store.receive("m-" + i, "alice", "alice", "message number " + i + " " + "y".repeat(200), i);
      }
      store.commit();
    }
    return file;
  }

  @Test
  void sixteenKibOfRandomBytesInTheMiddleAreRefusedAtStartWithWhatToDo() throws Exception {
    Path file = databaseWithMessages();
    long size = Files.size(file);
    assertThat(size).isGreaterThan(256 * 1024);
    byte[] garbage = new byte[16 * 1024];
    new Random(22).nextBytes(garbage);
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.seek(size / 2);
      raf.write(garbage);
    }
    byte[] damaged = Files.readAllBytes(file);

    assertThatThrownBy(() -> MessageStore.open(file))
        .isInstanceOf(StoreException.class)
        .hasMessageStartingWith("the history database " + file + " is corrupt (")
        .hasMessageContaining("nothing is acknowledged from it")
        .hasMessageContaining("mv " + file + " " + file + ".corrupt")
        .hasMessageNotContaining("Exception")
        .hasMessageNotContaining("***");
    assertThat(Files.readAllBytes(file)).as("left as it was, for recovery").isEqualTo(damaged);
  }

  @Test
  void anIntactDatabaseOpensWithItsMessages() {
    Path file = databaseWithMessages();
    try (MessageStore store = MessageStore.open(file)) {
      assertThat(store.history("alice", 5000)).hasSize(3000);
    }
  }

  @Test
  void onceSqliteReportsCorruptionTheStoreRefusesEveryCallSoNothingMoreIsAcknowledged()
      throws Exception {
    Path file = dir.resolve("messages.db");
    try (AsyncMessageStore store = new AsyncMessageStore(MessageStore.open(file))) {
      assertThat(store.submit(s -> s.receive("m-1", "alice", "alice", "fine", 1)).get()).isTrue();
      var failed =
          store.submit(
              s -> {
                throw MessageStore.translate(
                    file,
                    new SQLiteException(
                        "database disk image is malformed", SQLiteErrorCode.SQLITE_CORRUPT));
              });
      assertThatThrownBy(() -> failed.get(10, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class);

      var after = store.submit(s -> s.receive("m-2", "alice", "alice", "not trusted", 2));
      assertThatThrownBy(() -> after.get(10, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(StoreException.class)
          .hasMessageContaining(file + " is corrupt");
    }
    // Nothing was written after the damage was reported.
    try (MessageStore reopened = MessageStore.open(file)) {
      assertThat(reopened.history("alice", 10))
          .extracting(StoredMessage::id)
          .containsExactly("m-1");
    }
  }
}
