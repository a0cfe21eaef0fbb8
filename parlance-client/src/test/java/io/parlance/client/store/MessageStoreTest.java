package io.parlance.client.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
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
    assertThat(store.schemaVersion()).isEqualTo(MessageStore.latestSchemaVersion()).isEqualTo(10);
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement s = c.createStatement()) {
      var rs = s.executeQuery("PRAGMA journal_mode");
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("wal");
    }
  }

  @Test
  void enqueuedMessagesGetIdsInTheOrderTheyWereMadeAndAreStillFoundByThem() {
    List<StoredMessage> sent = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      sent.add(store.enqueue("bob-key", "bob", "text " + i, 10));
    }
    List<String> ids = sent.stream().map(StoredMessage::id).toList();
    assertThat(ids).isSorted().doesNotHaveDuplicates();
    assertThat(ids).allSatisfy(id -> assertThat(UUID.fromString(id).version()).isEqualTo(7));
    assertThat(store.markDelivered("bob-key", ids.get(17))).isTrue();
    assertThat(store.outgoing("bob-key", ids.get(17)).orElseThrow().state())
        .isEqualTo(DeliveryState.DELIVERED);
  }

  @Test
  void theLastSeqIsZeroForAnEmptyStoreThenThatOfTheLatestMessage() {
    assertThat(store.lastSeq()).isZero();
    store.enqueue("bob-key", "bob", "one", 10);
    StoredMessage latest = store.enqueue("carol-key", "carol", "two", 11);

    assertThat(store.lastSeq()).isEqualTo(latest.seq());
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
  void sentAndDeliveredInOneUpdateLeavesWhatTheTwoUpdatesLeave() {
    StoredMessage viaTwo = store.enqueue("bob-key", "bob", "two steps", 10);
    StoredMessage viaOne = store.enqueue("bob-key", "bob", "one step", 11);
    StoredMessage sentTwice = store.enqueue("bob-key", "bob", "again", 12);
    StoredMessage other = store.enqueue("carol-key", "carol", "not carol's", 13);

    store.markSent("bob-key", List.of(viaTwo.id()));
    store.markDelivered("bob-key", List.of(viaTwo.id()));
    store.markSent("bob-key", List.of(sentTwice.id()));
    store.markSentAndDelivered("bob-key", List.of(viaOne.id(), sentTwice.id(), other.id()));
    // Delivered is final: a late one changes nothing.
    store.markSentAndDelivered("bob-key", List.of(viaOne.id()));

    assertThat(store.outbox("bob-key", 10)).isEmpty();
    assertThat(store.history("bob-key", 10))
        .extracting(StoredMessage::content, StoredMessage::state, StoredMessage::attempts)
        .containsExactly(
            tuple("two steps", DeliveryState.DELIVERED, 1),
            tuple("one step", DeliveryState.DELIVERED, 1),
            tuple("again", DeliveryState.DELIVERED, 2));
    // Only the named peer's messages: carol's stays in her outbox.
    assertThat(store.outbox("carol-key", 10))
        .extracting(StoredMessage::id)
        .containsExactly(other.id());
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
  void historyTakesAnUnambiguousStartOfAPeersIdAsShownByPeers() {
    String bob = "72IC-" + "ABCD-".repeat(11) + "ABCD";
    String bert = "72IX-" + "ABCD-".repeat(11) + "ABCD";
    store.receive("1", bob, "bob", "from bob", 1);
    store.receive("2", bert, "bert", "from bert", 2);
    store.receive("3", "72IC-plain", "72ic-plain-nick", "a plain peer's key is its nickname", 3);

    assertThat(store.history("72IC", 10))
        .extracting(StoredMessage::content)
        .containsExactly("from bob");
    assertThat(store.history("72ic-abcd", 10)).extracting(StoredMessage::peer).containsOnly(bob);
    assertThat(store.history("72IX", 10))
        .extracting(StoredMessage::content)
        .containsExactly("from bert");
    assertThat(store.history("72I", 10)).as("shorter than a group").isEmpty();
    assertThat(store.history("72IC-ABCE", 10)).isEmpty();
    assertThat(store.history("72I-", 10)).isEmpty();
  }

  @Test
  void historyRefusesTheStartOfSeveralPeersIdsSayingToTypeMore() {
    store.receive("1", "72IC-" + "ABCD-".repeat(11) + "ABCD", "bob", "from bob", 1);
    store.receive("2", "72IC-" + "EFGH-".repeat(11) + "EFGH", "bob", "from the other bob", 2);

    assertThatThrownBy(() -> store.history("72ic", 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "'72ic' is the start of more than one peer's id (72IC-ABCD..., 72IC-EFGH...);"
                + " type more of it");
    assertThat(store.history("72IC-E", 10))
        .extracting(StoredMessage::content)
        .containsExactly("from the other bob");
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
        .hasMessageContaining("move it aside");
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
  void roomLinesAreLeftOutOfTheSearchAndADatabaseThatIndexedThemIsMendedOnOpening()
      throws Exception {
    store.close();
    Path old = dir.resolve("v7.db");
    String roomLine = "\u0001room {\"type\":\"room_msg\",\"text\":\"hello room\"}";
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + old);
        Statement s = c.createStatement()) {
      schemaAt(s, 7);
      s.execute(
          "INSERT INTO messages (id, direction, peer, nickname, content, timestamp, state,"
              + " created_ms, updated_ms, pending) VALUES ('a', 'out', 'bob', 'bob', 'hello bob',"
              + " 1, 'delivered', 1, 1, 0), ('r', 'out', 'bob', 'bob', '"
              + roomLine
              + "', 2, 'delivered', 1, 1, 0)");
      // what a version 7 node's fill of the index did: room lines too
      s.execute(
          "INSERT INTO messages_fts (rowid, content, nickname)"
              + " SELECT seq, content, nickname FROM messages");
      s.execute("UPDATE messages_fts_done SET seq = (SELECT max(seq) FROM messages)");
    }

    store = MessageStore.open(old, clock::incrementAndGet, 200);
    assertThat(store.schemaVersion()).isEqualTo(MessageStore.latestSchemaVersion());
    assertThat(store.search("hello", 10)).extracting(StoredMessage::id).containsExactly("a");
    // new room lines are not indexed either, one-to-one text is
    store.enqueue("bob", "bob", roomLine, 3);
    store.enqueue("bob", "bob", "hello again", 4);
    assertThat(store.search("hello", 10))
        .extracting(StoredMessage::content)
        .containsExactly("hello again", "hello bob");
    store.close();

    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + old);
        Statement s = c.createStatement()) {
      // deleting them leaves the index sound: the trigger skips what the index does not hold
      s.execute("DELETE FROM messages WHERE substr(content, 1, 1) = char(1)");
      s.execute("INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)");
    }
    store = MessageStore.open(old, clock::incrementAndGet, 200);
    assertThat(store.search("hello", 10))
        .extracting(StoredMessage::content)
        .containsExactly("hello again", "hello bob");
  }

  @Test
  void aTextForSeveralRecipientsIsStoredOnceAndEachCopyKeepsItsOwnDeliveryState() throws Exception {
    String line = "\u0001room {\"type\":\"room_msg\",\"text\":\"hello \\\"all\\\"\"}";
    List<StoredMessage> copies =
        store.enqueueAll(
            List.of(
                new MessageStore.Addressee("bob-key", "bob"),
                new MessageStore.Addressee("carol-key", "carol \"c\""),
                new MessageStore.Addressee("dave-key", "dave")),
            line,
            7);
    store.enqueue("bob-key", "bob", "hello bob", 8);

    assertThat(copies)
        .extracting(StoredMessage::peer, StoredMessage::nickname, StoredMessage::content)
        .containsExactly(
            tuple("bob-key", "bob", line),
            tuple("carol-key", "carol \"c\"", line),
            tuple("dave-key", "dave", line));
    assertThat(copies).extracting(StoredMessage::id).doesNotHaveDuplicates();
    assertThat(copies).extracting(StoredMessage::seq).isSorted().doesNotHaveDuplicates();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement s = c.createStatement()) {
      assertThat(count(s, "SELECT count(*) FROM shared_texts")).isEqualTo(1);
      assertThat(count(s, "SELECT count(*) FROM messages WHERE content = ''")).isEqualTo(3);
    }
    // every read gives the whole text, with the copy's own state
    assertThat(store.outbox("carol-key", 10))
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.content()).isEqualTo(line);
              assertThat(m.seq()).isEqualTo(copies.get(1).seq());
              assertThat(m.id()).isEqualTo(copies.get(1).id());
            });
    store.markSentAndDelivered("bob-key", List.of(copies.get(0).id(), "not \"an\" id"));
    store.markSent("dave-key", copies.get(2).id());
    assertThat(store.outbox("bob-key", 10))
        .extracting(StoredMessage::content)
        .containsExactly("hello bob");
    assertThat(store.outgoing("bob-key", copies.get(0).id()).orElseThrow())
        .extracting(StoredMessage::content, StoredMessage::state)
        .containsExactly(line, DeliveryState.DELIVERED);
    assertThat(store.outgoing("dave-key", copies.get(2).id()).orElseThrow().state())
        .isEqualTo(DeliveryState.SENT);
    // a conversation's history is its one-to-one messages: the rooms keep their lines
    assertThat(store.history("bob-key", 10))
        .extracting(StoredMessage::content)
        .containsExactly("hello bob");
    assertThat(store.keyForNickname("carol \"c\"")).isEmpty();
    assertThat(store.keyForNickname("bob")).contains("bob-key");
    // the search has the one-to-one text only
    assertThat(store.search("hello", 10))
        .extracting(StoredMessage::content)
        .containsExactly("hello bob");
    store.close();

    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
        Statement s = c.createStatement()) {
      s.execute("DELETE FROM messages WHERE peer = 'bob-key'");
      assertThat(count(s, "SELECT refs FROM shared_texts")).isEqualTo(2);
      s.execute("DELETE FROM messages");
      // the text went with its last copy, and the index is sound
      assertThat(count(s, "SELECT count(*) FROM shared_texts")).isZero();
      s.execute("INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)");
    }
    store = MessageStore.open(file, clock::incrementAndGet, 200);
    assertThat(store.search("hello", 10)).isEmpty();
  }

  @Test
  void aVersionNineDatabaseKeepsEveryMessageAndItsSequenceWhenItsIndexesAreMadeLean()
      throws Exception {
    store.close();
    Path old = dir.resolve("v9.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + old);
        Statement s = c.createStatement()) {
      schemaAt(s, 9);
      s.execute("INSERT INTO shared_texts (id, content, refs) VALUES (1, '\u0001room {}', 1)");
      s.execute(
          "INSERT INTO messages (id, direction, peer, nickname, content, timestamp, state,"
              + " created_ms, updated_ms, pending, text_id) VALUES"
              + " ('o1', 'out', 'bob-key', 'bob', 'to bob', 1, 'queued', 1, 1, 1, NULL),"
              + " ('i1', 'in', 'carol-key', 'carol', 'from carol', 2, 'received', 1, 1, 0, NULL),"
              + " ('r1', 'out', 'dave-key', 'dave', '', 3, 'queued', 1, 1, 1, 1),"
              + " ('gone', 'out', 'bob-key', 'bob', 'deleted', 4, 'delivered', 1, 1, 0, NULL)");
      s.execute("DELETE FROM messages WHERE id = 'gone'"); // the sequence is now past max(seq)
    }

    store = MessageStore.open(old, clock::incrementAndGet, 200);
    assertThat(store.schemaVersion()).isEqualTo(10);
    assertThat(store.outbox("bob-key", 10)).extracting(StoredMessage::id).containsExactly("o1");
    assertThat(store.outbox("dave-key", 10))
        .singleElement()
        .extracting(StoredMessage::content)
        .isEqualTo("\u0001room {}");
    assertThat(store.receive("i1", "carol-key", "carol", "from carol", 2)).isFalse();
    assertThat(store.receive("i1", "erin-key", "erin", "same id, another peer", 2)).isTrue();
    // no seq is used twice: the deleted row's (4) is not given again, erin's took 5
    assertThat(store.enqueue("bob-key", "bob", "after", 5).seq()).isEqualTo(6);
    assertThat(store.history("bob-key", 10))
        .extracting(StoredMessage::content)
        .containsExactly("to bob", "after");
    assertThat(store.markDelivered("bob-key", "o1")).isTrue();
    assertThat(store.outbox("bob-key", 10))
        .extracting(StoredMessage::content)
        .containsExactly("after");
    store.close();

    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + old);
        Statement s = c.createStatement()) {
      assertThat(
              count(
                  s,
                  "SELECT count(*) FROM sqlite_master WHERE name LIKE 'sqlite_autoindex_messages%'"))
          .isZero();
      // each lookup the outbox, the acks, the duplicate check and history make goes by an index
      for (String where :
          List.of(
              "direction = 'out' AND peer = 'bob-key' AND id = 'o1'",
              "direction = 'in' AND id = 'i1' AND (peer = 'carol-key' OR nickname = 'carol')",
              "pending = 1 AND peer = 'bob-key' AND seq > 0",
              "peer = 'bob-key' AND text_id IS NULL",
              "nickname = 'bob' AND text_id IS NULL",
              "(peer = 'bob' AND text_id IS NULL OR nickname = 'bob' AND text_id IS NULL)")) {
        List<String> plan = new ArrayList<>();
        try (ResultSet rs =
            s.executeQuery(
                "EXPLAIN QUERY PLAN SELECT * FROM messages WHERE " + where + " ORDER BY seq")) {
          while (rs.next()) {
            plan.add(rs.getString("detail"));
          }
        }
        assertThat(plan).as(where).anyMatch(step -> step.contains("USING INDEX"));
        assertThat(plan).as(where).noneMatch(step -> step.startsWith("SCAN"));
      }
    }
    store = MessageStore.open(old, clock::incrementAndGet, 200);
  }

  /** Makes the schema of an older version in an empty database, as that version left it. */
  private static void schemaAt(Statement s, int version) throws Exception {
    for (String statement : MessageStore.statementsUpTo(version)) {
      s.executeUpdate(statement);
    }
    s.execute("PRAGMA user_version = " + version);
  }

  private static long count(Statement s, String sql) throws Exception {
    try (ResultSet rs = s.executeQuery(sql)) {
      assertThat(rs.next()).isTrue();
      return rs.getLong(1);
    }
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

  @Test
  void aMessageToAPlainPeerLeavesTheOutboxOnceSentAndStaysSent() {
    StoredMessage m = store.enqueue("rusty", "rusty", "no acks here", 1);
    StoredMessage next = store.enqueue("rusty", "rusty", "next", 2);

    assertThat(store.markSentFinal("rusty", m.id())).isTrue();
    assertThat(store.markSentFinal("rusty", m.id())).isFalse();

    assertThat(store.outbox("rusty", 10)).extracting(StoredMessage::id).containsExactly(next.id());
    assertThat(store.history("rusty", 10).get(0).state()).isEqualTo(DeliveryState.SENT);
  }

  @Test
  void theOutboxIsReadInPagesAfterAPosition() {
    List<StoredMessage> queued = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      queued.add(store.enqueue("bob", "bob", "m" + i, i));
    }
    List<StoredMessage> first = store.outbox("bob", 0, 2);
    List<StoredMessage> second = store.outbox("bob", first.get(1).seq(), 2);

    assertThat(first).extracting(StoredMessage::content).containsExactly("m0", "m1");
    assertThat(second).extracting(StoredMessage::content).containsExactly("m2", "m3");
    assertThat(store.outbox("bob", queued.get(4).seq(), 2)).isEmpty();
  }

  @Test
  void aDuplicateIsRecognisedUnderTheNicknameItWasFirstFiledUnder() {
    // Heard before discovery named the sender's identity: filed under the nickname.
    assertThat(store.receive("m-1", "alice", "alice", "hi", 5)).isTrue();
    // The re-send after discovery carries the same id, now under alice's key.
    assertThat(store.receive("m-1", "ALICE-KEY", "alice", "hi", 5)).isFalse();
    assertThat(store.keyForNickname("alice")).contains("alice");
    assertThat(store.receive("m-2", "ALICE-KEY", "alice", "again", 6)).isTrue();
    assertThat(store.keyForNickname("alice")).contains("ALICE-KEY");
    assertThat(store.keyForNickname("nobody")).isEmpty();
    assertThat(store.history("alice", 10))
        .extracting(StoredMessage::id)
        .containsExactly("m-1", "m-2");
  }

  @Test
  void aVersionOneDatabaseIsMigratedWithItsOutboxIntact() throws Exception {
    store.close();
    Path old = dir.resolve("v1.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + old);
        Statement s = c.createStatement()) {
      String v1;
      try (var in = MessageStore.class.getResourceAsStream("V1__messages.sql")) {
        v1 = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      for (String statement : MessageStore.statements(v1)) {
        s.executeUpdate(statement);
      }
      s.execute("PRAGMA user_version = 1");
      s.execute(
          "INSERT INTO messages (id, direction, peer, nickname, content, timestamp, state,"
              + " created_ms, updated_ms) VALUES ('a', 'out', 'bob', 'bob', 'waiting', 1, 'sent',"
              + " 1, 1), ('b', 'out', 'bob', 'bob', 'done', 2, 'delivered', 1, 1),"
              + " ('c', 'in', 'bob', 'bob', 'got it', 3, 'received', 1, 1)");
    }

    store = MessageStore.open(old, clock::incrementAndGet, 200);

    assertThat(store.schemaVersion()).isEqualTo(MessageStore.latestSchemaVersion());
    assertThat(store.outbox("bob", 10)).extracting(StoredMessage::id).containsExactly("a");
    assertThat(store.outboxPeers()).containsExactly("bob");
    assertThat(store.history("bob", 10)).hasSize(3);
  }

  @Test
  void aDepositedMessageShowsDepositedStaysInTheOutboxAndGoesBackToWaitingWhenItExpires() {
    StoredMessage m = store.enqueue("BOB-ID", "bob", "for the mailbox", 1);
    StoredMessage plain = store.enqueue("carol", "carol", "other", 1);
    assertThat(store.mailCandidates(Long.MAX_VALUE, 10))
        .extracting(StoredMessage::id)
        .containsExactly(m.id(), plain.id());

    assertThat(store.markDeposited("BOB-ID", m.id())).isTrue();
    assertThat(store.outgoing("BOB-ID", m.id()).orElseThrow().state())
        .isEqualTo(DeliveryState.DEPOSITED);
    assertThat(store.outbox("BOB-ID", 10)).extracting(StoredMessage::id).containsExactly(m.id());
    assertThat(store.mailCandidates(Long.MAX_VALUE, 10))
        .extracting(StoredMessage::id)
        .containsExactly(plain.id());
    store.markSent("BOB-ID", m.id());
    assertThat(store.history("bob", 10))
        .singleElement()
        .extracting(StoredMessage::state)
        .isEqualTo(DeliveryState.DEPOSITED);

    assertThat(store.clearDeposited("BOB-ID", m.id())).isTrue();
    assertThat(store.clearDeposited("BOB-ID", m.id())).isFalse();
    assertThat(store.outgoing("BOB-ID", m.id()).orElseThrow().state())
        .isEqualTo(DeliveryState.SENT);

    // A deposit still in flight when the expiry came does not make it deposited again.
    assertThat(store.markDeposited("BOB-ID", m.id())).isFalse();
    assertThat(store.outgoing("BOB-ID", m.id()).orElseThrow().state())
        .isEqualTo(DeliveryState.SENT);
    assertThat(store.markDelivered("BOB-ID", m.id())).isTrue();
    assertThat(store.outgoing("BOB-ID", m.id()).orElseThrow().state())
        .isEqualTo(DeliveryState.DELIVERED);
    assertThat(store.markDeposited("BOB-ID", m.id())).isFalse();
    assertThat(store.outbox("BOB-ID", 10)).isEmpty();
  }

  @Test
  void aDatabaseAnotherProgramHoldsIsRefusedAtOpen() throws Exception {
    Path shared = dir.resolve("held.db");
    MessageStore.open(shared).close();
    try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + shared);
        Statement s = other.createStatement()) {
      s.execute("BEGIN IMMEDIATE");
      assertThatThrownBy(() -> MessageStore.open(shared, clock::incrementAndGet, 100))
          .isInstanceOf(StoreException.class)
          .hasMessageContaining(shared.toString())
          .hasMessageContaining("is locked by another program");
      s.execute("ROLLBACK");
    }
  }

  @Test
  void aReadOnlyStoreReadsHistoryButNeverWrites() throws Exception {
    store.enqueue("bob", "bob", "kept", 1);
    store.close();
    long size = Files.size(file);

    try (MessageStore readOnly = MessageStore.openReadOnly(file)) {
      assertThat(readOnly.history("bob", 10))
          .extracting(StoredMessage::content)
          .containsExactly("kept");
      assertThat(readOnly.search("kept", 10)).hasSize(1);
      assertThatThrownBy(() -> readOnly.enqueue("bob", "bob", "no", 2))
          .isInstanceOf(StoreException.class);
    }
    assertThat(Files.size(file)).isEqualTo(size);
    assertThatThrownBy(() -> MessageStore.openReadOnly(dir.resolve("absent.db")))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("there is no history database");
    assertThat(Files.exists(dir.resolve("absent.db"))).isFalse();
    store = MessageStore.open(file, clock::incrementAndGet, 200);
  }

  @Test
  void anInMemoryStoreWorksLikeTheFileOne() {
    try (MessageStore memory = MessageStore.inMemory()) {
      StoredMessage m = memory.enqueue("bob", "bob", "volatile", 1);
      assertThat(memory.outbox("bob", 10)).extracting(StoredMessage::id).containsExactly(m.id());
      assertThat(memory.search("volatile", 10)).hasSize(1);
    }
  }

  @Test
  void theAsyncStoreCommitsABurstTogetherInOrderAndAFailureUndoesOnlyItself() throws Exception {
    store.close();
    List<CompletableFuture<StoredMessage>> burst = new ArrayList<>();
    CompletableFuture<Object> boom = null;
    try (AsyncMessageStore async = new AsyncMessageStore(MessageStore.open(file))) {
      CountDownLatch running = new CountDownLatch(1);
      CompletableFuture<Void> gate = new CompletableFuture<>();
      // Hold the store thread so the next calls queue up and share one transaction.
      async.submit(
          s -> {
            running.countDown();
            return gate.join();
          });
      assertThat(running.await(5, TimeUnit.SECONDS)).isTrue();
      for (int i = 0; i < 100; i++) {
        burst.add(async.enqueue("bob", "bob", "m" + i, i));
        if (i == 50) {
          boom =
              async.submit(
                  s -> {
                    s.enqueue("bob", "bob", "undone", 0);
                    throw new IllegalStateException("boom");
                  });
        }
      }
      gate.complete(null);
      List<String> order = new ArrayList<>();
      for (CompletableFuture<StoredMessage> f : burst) {
        order.add(f.get(10, TimeUnit.SECONDS).content());
      }
      assertThat(order).hasSize(100).startsWith("m0", "m1").endsWith("m99");
      assertThatThrownBy(boom::join).hasRootCauseMessage("boom");
      assertThat(async.history("bob", 1000).get())
          .extracting(StoredMessage::content)
          .doesNotContain("undone")
          .hasSize(100);
    }
    store = MessageStore.open(file);
  }

  @Test
  void theAsyncStoreRefusesWorkPastItsCapacityAndAfterClose() throws Exception {
    store.close();
    AsyncMessageStore async = new AsyncMessageStore(MessageStore.open(file), 2);
    CountDownLatch running = new CountDownLatch(1);
    CompletableFuture<Void> gate = new CompletableFuture<>();
    async.submit(
        s -> {
          running.countDown();
          return gate.join();
        });
    assertThat(running.await(5, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<Integer> first = async.submit(s -> 1);
    CompletableFuture<Integer> second = async.submit(s -> 2);
    CompletableFuture<Integer> third = async.submit(s -> 3);

    assertThatThrownBy(third::join)
        .hasCauseInstanceOf(StoreException.class)
        .hasMessageContaining("overloaded");
    gate.complete(null);
    assertThat(first.get(5, TimeUnit.SECONDS) + second.get(5, TimeUnit.SECONDS)).isEqualTo(3);
    async.close();
    assertThatThrownBy(() -> async.submit(s -> 1).get(5, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("closed");
    store = MessageStore.open(file);
  }
}
