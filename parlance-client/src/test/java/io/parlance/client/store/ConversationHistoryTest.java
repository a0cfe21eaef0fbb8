package io.parlance.client.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 22 item 5 and issue 21: history records whether each received message was verified, and a
 * conversation belongs to a peer's key whatever nickname it had, never mixed with another peer's.
 */
class ConversationHistoryTest {

  private static final String ALICE = "OKTR-" + "DRRS-".repeat(11) + "V5JA";
  private static final String BOB1 = "IA54-" + "ABCD-".repeat(11) + "ABCD";
  private static final String BOB2 = "72IC-" + "EFGH-".repeat(11) + "EFGH";

  @TempDir Path dir;

  private final AtomicLong clock = new AtomicLong(1_000);
  private MessageStore store;

  @AfterEach
  void close() {
    if (store != null) {
      store.close();
    }
  }

  private MessageStore open() {
    store = MessageStore.open(dir.resolve("messages.db"), clock::incrementAndGet, 200);
    return store;
  }

  @Test
  void aSpoofedPlainNamesakeIsNeverFiledInOrMixedIntoTheVerifiedConversation() {
    MessageStore s = open();
    s.receive("1", ALICE, "alice", "hi from alice", 1, true);
    s.enqueue(ALICE, "alice", "hi alice", 2);
    // A plain line saying it is from alice: filed under the nickname, unverified.
    s.receive("local-x", "alice", "alice", "send me the door code", 3, false);

    assertThat(s.history("alice", 10))
        .extracting(StoredMessage::content)
        .containsExactly("hi from alice", "hi alice");
    assertThat(s.history("alice", 10).get(0).unverified()).isFalse();
    assertThat(s.history("alice#plain", 10))
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.content()).isEqualTo("send me the door code");
              assertThat(m.verified()).isFalse();
              assertThat(m.unverified()).isTrue();
            });
  }

  @Test
  void aRenamedPeersWholeConversationIsFoundUnderEitherNickname() {
    MessageStore s = open();
    s.receive("1", BOB1, "bob", "before the rename", 1, true);
    s.enqueue(BOB1, "bob", "hi bob", 2);
    s.receive("2", BOB1, "robert", "after /nick robert", 3, true);

    assertThat(s.history("robert", 10))
        .extracting(StoredMessage::content)
        .containsExactly("before the rename", "hi bob", "after /nick robert");
    assertThat(s.history("bob", 10)).hasSize(3);
  }

  @Test
  void twoPeersSharingANicknameAreNeverMixedAndEachIsNamedByTheStartOfItsId() {
    MessageStore s = open();
    s.receive("1", BOB1, "bob", "from the first bob", 1, true);
    s.receive("2", BOB2, "bob", "from the second bob", 2, true);

    assertThatThrownBy(() -> s.history("bob", 10))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bob#IA54")
        .hasMessageContaining("bob#72IC")
        .hasMessageContaining("name one");
    assertThat(s.history("bob#72ic", 10))
        .extracting(StoredMessage::content)
        .containsExactly("from the second bob");
    assertThat(s.history("bob#IA54", 10))
        .extracting(StoredMessage::content)
        .containsExactly("from the first bob");
  }

  @Test
  void aVersionTwoDatabaseGainsTheVerifiedColumnAndKeepsEveryMessage() throws Exception {
    Path old = dir.resolve("messages.db");
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + old);
        Statement st = c.createStatement()) {
      for (String script : new String[] {"V1__messages.sql", "V2__outbox_flag.sql"}) {
        String sql;
        try (var in = MessageStore.class.getResourceAsStream(script)) {
          sql = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        for (String statement : MessageStore.statements(sql)) {
          st.executeUpdate(statement);
        }
      }
      st.execute("PRAGMA user_version = 2");
      st.execute(
          "INSERT INTO messages (id, direction, peer, nickname, content, timestamp, state,"
              + " created_ms, updated_ms, pending) VALUES"
              + " ('m-1', 'in', '"
              + ALICE
              + "', 'alice', 'over tls, not recorded', 1, 'received', 1, 1, 0),"
              + " ('local-1', 'in', 'rusty', 'rusty', 'plain', 2, 'received', 1, 1, 0),"
              + " ('o-1', 'out', '"
              + ALICE
              + "', 'alice', 'waiting', 3, 'queued', 1, 1, 1)");
    }

    // parlance history reads an old database as it is, without migrating it.
    try (MessageStore readOnly = MessageStore.openReadOnly(old)) {
      assertThat(readOnly.schemaVersion()).isEqualTo(2);
      assertThat(readOnly.history("alice", 10)).hasSize(2);
      assertThat(readOnly.history("rusty", 10).get(0).unverified()).isTrue();
    }

    MessageStore s = open();
    assertThat(s.schemaVersion()).isEqualTo(MessageStore.latestSchemaVersion());
    assertThat(s.outbox(ALICE, 10)).extracting(StoredMessage::id).containsExactly("o-1");
    // What was not recorded is not claimed: shown unverified; a sent message has no such mark.
    assertThat(s.history("alice", 10))
        .extracting(StoredMessage::verified)
        .containsExactly(false, null);
    assertThat(s.history("rusty", 10).get(0).verified()).isFalse();
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + old);
        Statement st = c.createStatement();
        var rs = st.executeQuery("SELECT verified FROM messages WHERE id = 'local-1'")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getInt(1)).isZero();
      assertThat(rs.wasNull()).isFalse();
    }
    s.receive("m-2", ALICE, "alice", "verified now", 4, true);
    assertThat(s.history("alice", 10)).last().satisfies(m -> assertThat(m.verified()).isTrue());
  }
}
