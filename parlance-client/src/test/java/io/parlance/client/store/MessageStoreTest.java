package io.parlance.client.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MessageStoreTest {

  @TempDir Path dir;

  private final AtomicLong clock = new AtomicLong(1_000);
  private Path file;
  private MessageStore store;

  @BeforeEach
  void open() {
    file = dir.resolve("profile/history.db");
    store = MessageStore.open(file, clock::incrementAndGet, 200);
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void aNewDatabaseIsMigratedToTheLatestSchemaInWalMode() throws Exception {
    assertThat(store.schemaVersion()).isEqualTo(1);
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement s = c.createStatement()) {
      var rs = s.executeQuery("PRAGMA journal_mode");
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("wal");
    }
  }

  @Test
  void queuedMessagesLeaveTheOutboxOnlyWhenDeliveredInOrder() {
    StoredMessage first = store.enqueue("bob@10.0.0.2:5000", "bob", "one", 10);
    StoredMessage second = store.enqueue("bob@10.0.0.2:5000", "bob", "two", 11);
    store.enqueue("carol@10.0.0.3:5000", "carol", "other", 12);

    assertThat(first.state()).isEqualTo(DeliveryState.QUEUED);
    assertThat(first.id()).isNotEqualTo(second.id());
    assertThat(store.outbox("bob@10.0.0.2:5000", 10))
        .extracting(StoredMessage::content)
        .containsExactly("one", "two");
    assertThat(store.outboxPeers())
        .containsExactlyInAnyOrder("bob@10.0.0.2:5000", "carol@10.0.0.3:5000");

    store.markSent("bob@10.0.0.2:5000", first.id());
    store.markSent("bob@10.0.0.2:5000", first.id());
    assertThat(store.outbox("bob@10.0.0.2:5000", 10).get(0))
        .satisfies(
            m -> {
              assertThat(m.state()).isEqualTo(DeliveryState.SENT);
              assertThat(m.attempts()).isEqualTo(2);
            });

    assertThat(store.markDelivered("bob@10.0.0.2:5000", first.id())).isTrue();
    assertThat(store.markDelivered("bob@10.0.0.2:5000", first.id())).isFalse();
    assertThat(store.outbox("bob@10.0.0.2:5000", 10))
        .extracting(StoredMessage::content)
        .containsExactly("two");
    // Delivered is final: a late "sent" does not put it back.
    store.markSent("bob@10.0.0.2:5000", first.id());
    assertThat(store.history("bob", 10).get(0).state()).isEqualTo(DeliveryState.DELIVERED);
  }

  @Test
  void aReceivedMessageIsStoredOncePerPeerAndId() {
    assertThat(store.receive("m-1", "alice-key", "alice", "hi", 5)).isTrue();
    assertThat(store.receive("m-1", "alice-key", "alice", "hi", 5)).isFalse();
    assertThat(store.receive("m-1", "other-key", "eve", "same id, other peer", 5)).isTrue();
    assertThat(store.history("alice-key", 10)).hasSize(1);
  }

  @Test
  void historyReturnsTheMostRecentMessagesOldestFirstByKeyOrNickname() {
    for (int i = 0; i < 5; i++) {
      store.enqueue("bob-key", "bob", "out " + i, i);
      store.receive("in-" + i, "bob-key", "bob", "in " + i, i);
    }
    store.receive("x", "carol-key", "carol", "not bob", 1);

    assertThat(store.history("bob-key", 3))
        .extracting(StoredMessage::content)
        .containsExactly("in 3", "out 4", "in 4");
    assertThat(store.history("bob", 100)).hasSize(10).allMatch(m -> m.peer().equals("bob-key"));
    assertThat(store.history("nobody", 10)).isEmpty();
  }

  @Test
  void searchFindsWordsAnywhereAndIsSafeFromQuerySyntax() {
    store.receive("1", "a", "alice", "Let's meet at the café tomorrow", 1);
    store.enqueue("b", "bob", "the meeting is cancelled", 2);
    store.receive("2", "c", "carol", "quotes \" and * and OR NEAR( are just text", 3);

    assertThat(store.search("café", 10))
        .extracting(StoredMessage::nickname)
        .containsExactly("alice");
    assertThat(store.search("THE", 10)).hasSize(2);
    assertThat(store.search("meet tomorrow", 10)).hasSize(1);
    assertThat(store.search("\" * OR NEAR(", 10))
        .extracting(StoredMessage::nickname)
        .containsExactly("carol");
    assertThat(store.search("bob", 10))
        .extracting(StoredMessage::content)
        .containsExactly("the meeting is cancelled");
    assertThat(store.search("   ", 10)).isEmpty();
    assertThat(store.search("absent", 10)).isEmpty();
  }

  @Test
  void everythingSurvivesClosingAndReopening() {
    StoredMessage queued = store.enqueue("bob-key", "bob", "wait for me", 1);
    store.receive("r", "bob-key", "bob", "received", 2);
    store.close();

    store = MessageStore.open(file, clock::incrementAndGet, 200);
    assertThat(store.outbox("bob-key", 10))
        .extracting(StoredMessage::id)
        .containsExactly(queued.id());
    assertThat(store.history("bob-key", 10)).hasSize(2);
    assertThat(store.receive("r", "bob-key", "bob", "received", 2)).isFalse();
  }

  @Test
  void aCorruptDatabaseIsRefusedWithAClearMessageAndLeftUntouched() throws Exception {
    Path corrupt = dir.resolve("corrupt.db");
    byte[] garbage =
        "this is not a database, but it holds someone's outbox"
            .repeat(100)
            .getBytes(StandardCharsets.UTF_8);
    Files.write(corrupt, garbage);

    assertThatThrownBy(() -> MessageStore.open(corrupt))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining(corrupt.toString())
        .hasMessageContaining("is corrupt")
        .hasMessageContaining("move the file away");
    assertThat(Files.readAllBytes(corrupt)).isEqualTo(garbage);
  }

  @Test
  void aLockedDatabaseGivesAClearMessage() throws Exception {
    try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement s = other.createStatement()) {
      s.execute("BEGIN EXCLUSIVE");
      assertThatThrownBy(() -> store.enqueue("bob", "bob", "blocked", 1))
          .isInstanceOf(StoreException.class)
          .hasMessageContaining("is locked by another program");
      s.execute("ROLLBACK");
    }
    assertThat(store.enqueue("bob", "bob", "after", 1).state()).isEqualTo(DeliveryState.QUEUED);
  }

  @Test
  void aDatabaseFromANewerParlanceIsRefused() throws Exception {
    store.close();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement s = c.createStatement()) {
      s.execute("PRAGMA user_version = 99");
    }
    assertThatThrownBy(() -> MessageStore.open(file))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("schema version 99")
        .hasMessageContaining("upgrade Parlance");
    store = MessageStore.open(dir.resolve("fresh.db"));
  }

  @Test
  void migrationScriptsSplitIntoStatementsAtBlankLines() {
    List<String> statements =
        MessageStore.statements(
            "-- comment\nCREATE TABLE a (x);\n\nCREATE TRIGGER t AFTER INSERT ON a BEGIN\n"
                + "  SELECT 1;\n  SELECT 2;\nEND;\n\n  \n");
    assertThat(statements)
        .containsExactly(
            "CREATE TABLE a (x);",
            "CREATE TRIGGER t AFTER INSERT ON a BEGIN\n  SELECT 1;\n  SELECT 2;\nEND;");
  }

  @Test
  void theAsyncStoreRunsWorkOffTheCallingThreadInOrder() throws Exception {
    store.close();
    try (AsyncMessageStore async = new AsyncMessageStore(MessageStore.open(file))) {
      StoredMessage m = async.enqueue("bob", "bob", "async", 1).get();
      String thread = async.submit(s -> Thread.currentThread().getName()).get();
      assertThat(thread).isEqualTo("parlance-store");
      assertThat(async.history("bob", 5).get())
          .extracting(StoredMessage::id)
          .containsExactly(m.id());
      assertThat(async.search("async", 5).get()).hasSize(1);
    }
    store = MessageStore.open(file);
  }
}
