package io.parlance.client.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * The SQLite database of one profile: every message sent and received, with its delivery state.
 * Outgoing messages that are not yet delivered form the outbox.
 *
 * <p>Writes are durable when a method returns (WAL journal, {@code synchronous=FULL}), so a crash
 * loses nothing that was stored; {@link AsyncMessageStore} groups the calls queued together into
 * one transaction, so many writes share one disk flush. The schema is versioned ({@code PRAGMA
 * user_version}) and migrated on open. Not thread-safe: one thread owns an instance ({@link
 * AsyncMessageStore} gives it one), which keeps disk work off the event loops.
 */
public final class MessageStore implements AutoCloseable {

  /** The database's file name in a profile's data directory. */
  public static final String FILE = "messages.db";

  /** The migrations, in order; the schema version is the number applied. */
  private static final List<String> MIGRATIONS =
      List.of(
          "V1__messages.sql",
          "V2__outbox_flag.sql",
          "V3__mailbox.sql",
          "V4__rooms.sql",
          "V5__verified.sql",
          "V6__fts_in_batches.sql",
          "V7__room_invitations.sql",
          "V8__fts_without_room_lines.sql",
          "V9__shared_texts.sql",
          "V10__lean_message_indexes.sql");

  private static final String MEMORY = ":memory:";

  /** The fewest characters of an id that {@link #history} takes as its start. */
  private static final int MIN_ID_PREFIX = 4;

  private final Path file;
  private final Connection connection;
  private final LongSupplier clock;

  /**
   * How many messages were stored since the full-text index was last filled (an upper bound: a
   * rolled-back insert is counted too); see {@link #indexPending(int)}.
   */
  private int unindexed;

  /** Opened with {@link #openReadOnly}: the full-text index cannot be filled, only read. */
  private boolean readOnly;

  /** The schema version from which texts to several recipients are stored once (V9). */
  private static final int SHARED_TEXTS_VERSION = 9;

  /** The version that made the messages table again (V10): upgrading to it takes a while. */
  private static final int LEAN_INDEXES_VERSION = 10;

  private static final Logger LOG = LoggerFactory.getLogger(MessageStore.class);

  /** Whether the database has {@code messages_full}: it does from V9 on, and after migrating. */
  private boolean sharedTexts = true;

  /**
   * Beside the database ({@code messages.db-closed}): written when a store is closed cleanly, with
   * the time of its last integrity check, and removed when the store is opened again. Its presence
   * lets that open go without {@code quick_check}, which reads the whole file (about 0.8 s for
   * 300,000 messages on the project's machine), unless that check is {@link #CHECK_EVERY_MS} old.
   */
  static final String CLOSED_SUFFIX = "-closed";

  /** How long after its last integrity check a cleanly closed store is opened without one. */
  static final long CHECK_EVERY_MS = java.time.Duration.ofDays(7).toMillis();

  /** When this store's file was last checked, Unix ms; 0 for none (in memory, read only). */
  private long checkedAtMs;

  /** Set once a call found the file damaged: its close then leaves no mark of a clean one. */
  private volatile boolean damaged;

  /** How many integrity checks this store ran as it opened (0 or 1; for tests). */
  int integrityChecks;

  /** The statements this store runs, prepared once each (SQLite parses a statement per prepare). */
  private final Map<String, PreparedStatement> statements = new HashMap<>();

  private MessageStore(Path file, Connection connection, LongSupplier clock) {
    this.file = file;
    this.connection = connection;
    this.clock = clock;
  }

  /**
   * Opens a fresh database that lives in memory only, for a node that keeps nothing on disk.
   *
   * @return the open store
   */
  public static MessageStore inMemory() {
    try {
      Connection connection =
          DriverManager.getConnection("jdbc:sqlite::memory:", connectionProperties());
      MessageStore store = new MessageStore(Path.of(MEMORY), connection, System::currentTimeMillis);
      store.configure(0);
      store.migrate();
      return store;
    } catch (SQLException e) {
      throw translate(Path.of(MEMORY), e);
    }
  }

  /**
   * Opens an existing database for reading only, as {@code parlance history} does while no peer
   * runs on the profile: nothing is created, migrated or written.
   *
   * @param file the database file
   * @return the open store
   * @throws StoreException if it does not exist, cannot be read, is corrupt or too new
   */
  public static MessageStore openReadOnly(Path file) {
    Objects.requireNonNull(file, "file");
    if (!Files.isRegularFile(file)) {
      throw new StoreException("there is no history database at " + file + " yet");
    }
    SQLiteConfig config = new SQLiteConfig();
    config.setGetGeneratedKeys(false);
    config.setReadOnly(true);
    config.setBusyTimeout(3000);
    Connection connection = null;
    try {
      connection =
          DriverManager.getConnection(
              "jdbc:sqlite:" + file.toAbsolutePath(), config.toProperties());
      MessageStore store = new MessageStore(file, connection, System::currentTimeMillis);
      store.readOnly = true;
      store.sharedTexts = store.schemaVersion() >= SHARED_TEXTS_VERSION;
      int version = store.schemaVersion();
      if (version > MIGRATIONS.size()) {
        throw tooNew(file, version);
      }
      try (Statement s = connection.createStatement();
          ResultSet rs = s.executeQuery("SELECT count(*) FROM messages")) {
        rs.next();
      }
      return store;
    } catch (SQLException e) {
      closeQuietly(connection);
      throw translate(file, e);
    } catch (RuntimeException e) {
      closeQuietly(connection);
      throw e;
    }
  }

  /**
   * Opens (creating if needed) and migrates the database at {@code file}.
   *
   * @param file the database file
   * @return the open store
   * @throws StoreException saying what is wrong (corrupt, locked, unreadable) and what to do
   */
  public static MessageStore open(Path file) {
    return open(file, System::currentTimeMillis, 3000);
  }

  static MessageStore open(Path file, LongSupplier clock, int busyTimeoutMillis) {
    Objects.requireNonNull(file, "file");
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
    } catch (IOException e) {
      throw new StoreException(
          "cannot create the directory for the history database " + file + ": " + e.getMessage(),
          e);
    }
    Connection connection = null;
    try {
      connection =
          DriverManager.getConnection(
              "jdbc:sqlite:" + file.toAbsolutePath(), connectionProperties());
      MessageStore store = new MessageStore(file, connection, clock);
      store.configure(busyTimeoutMillis);
      long now = clock.getAsLong();
      long checked = takeClosedMark(file); // a crash from here on leaves no mark: checked next time
      if (checked <= 0 || checked > now || now - checked >= CHECK_EVERY_MS) {
        store.checkIntegrity();
        store.integrityChecks++;
        checked = now;
      }
      store.checkedAtMs = checked;
      store.migrate();
      store.probeWriteLock();
      store.indexPending(Integer.MAX_VALUE); // what a crash left out of the full-text index
      return store;
    } catch (SQLException e) {
      closeQuietly(connection);
      throw translate(file, e);
    } catch (RuntimeException e) {
      closeQuietly(connection);
      throw e;
    }
  }

  /**
   * The driver's settings: it does not look for generated keys after every update (a regular
   * expression over the SQL each time); {@link #insert} asks SQLite for the new row's number.
   */
  private static java.util.Properties connectionProperties() {
    SQLiteConfig config = new SQLiteConfig();
    config.setGetGeneratedKeys(false);
    return config.toProperties();
  }

  /**
   * Takes the write lock once and gives it back, so a database another program holds is reported at
   * start rather than at the first message.
   */
  private void probeWriteLock() throws SQLException {
    try (Statement s = connection.createStatement()) {
      s.execute("BEGIN IMMEDIATE");
      s.execute("ROLLBACK");
    }
  }

  /**
   * Refuses a damaged database at start, before anything is written to it or acknowledged from it:
   * SQLite's {@code quick_check} reads every page and checks its structure (not the indexes'
   * agreement with the table, which {@code integrity_check} adds at several times the cost).
   */
  private void checkIntegrity() throws SQLException {
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery("PRAGMA quick_check(1)")) {
      String result = rs.next() ? rs.getString(1) : "no answer";
      if (!"ok".equals(result)) {
        throw corrupt(file, "quick_check: " + problems(result), null);
      }
    }
  }

  /** The problems quick_check lists, on one bounded line, without its "*** in database" header. */
  private static String problems(String result) {
    String line =
        result
            .lines()
            .map(String::strip)
            .filter(l -> !l.isEmpty() && !l.startsWith("***"))
            .collect(java.util.stream.Collectors.joining("; "));
    if (line.isEmpty()) {
      line = result.strip();
    }
    return line.length() > 200 ? line.substring(0, 200) + "..." : line;
  }

  private static StoreException corrupt(Path file, String what, SQLException cause) {
    return new StoreException(
        "the history database "
            + file
            + " is corrupt ("
            + what
            + "). Nothing was changed and nothing is acknowledged from it: move it aside, with its"
            + " -wal and -shm files if there are any (for example mv "
            + file
            + " "
            + file
            + ".corrupt; your outbox is in it, so keep the copy), and start again, or use another"
            + " profile",
        cause);
  }

  /**
   * Tells whether a failure says the database is corrupt, so nothing more should be trusted to it.
   *
   * @param failure a failure of a store call
   * @return true if SQLite reported corruption
   */
  static boolean isCorruption(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof SQLiteException e) {
        SQLiteErrorCode code = e.getResultCode();
        return code == SQLiteErrorCode.SQLITE_CORRUPT
            || code == SQLiteErrorCode.SQLITE_NOTADB
            || code == SQLiteErrorCode.SQLITE_CORRUPT_INDEX
            || code == SQLiteErrorCode.SQLITE_CORRUPT_SEQUENCE
            || code == SQLiteErrorCode.SQLITE_CORRUPT_VTAB;
      }
    }
    return false;
  }

  private void configure(int busyTimeoutMillis) throws SQLException {
    try (Statement s = connection.createStatement()) {
      s.execute("PRAGMA busy_timeout = " + busyTimeoutMillis);
      try (ResultSet rs = s.executeQuery("PRAGMA journal_mode = WAL")) {
        rs.next();
      }
      s.execute("PRAGMA synchronous = FULL");
      s.execute("PRAGMA foreign_keys = ON");
      // 64 MiB of page cache (the default is 2 MiB): a busy outbox and its indexes outgrow 2 MiB
      // within seconds, and then every ack reads its page back from the file.
      s.execute("PRAGMA cache_size = -65536");
    }
  }

  private void migrate() throws SQLException {
    int version;
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery("PRAGMA user_version")) {
      version = rs.next() ? rs.getInt(1) : 0;
    }
    if (version > MIGRATIONS.size()) {
      throw tooNew(file, version);
    }
    if (version > 0 && version < LEAN_INDEXES_VERSION) {
      LOG.info(
          "Upgrading the history database {} to schema version {}: its messages table is made"
              + " again, which takes a few seconds per million messages",
          file,
          MIGRATIONS.size());
    }
    for (int v = version; v < MIGRATIONS.size(); v++) {
      connection.setAutoCommit(false);
      try (Statement s = connection.createStatement()) {
        for (String statement : Scripts.STATEMENTS.get(v)) {
          s.executeUpdate(statement);
        }
        s.executeUpdate("PRAGMA user_version = " + (v + 1));
        connection.commit();
      } catch (SQLException e) {
        connection.rollback();
        throw e;
      } finally {
        connection.setAutoCommit(true);
      }
    }
    if (version == 0) {
      // A new database went through every migration; V10 made the messages table again and left
      // the old one's pages free in the file. Giving them back costs nothing while it is empty.
      try (Statement s = connection.createStatement()) {
        s.execute("VACUUM");
      }
    }
  }

  private static StoreException tooNew(Path file, int version) {
    return new StoreException(
        "the history database "
            + file
            + " has schema version "
            + version
            + ", newer than this Parlance understands ("
            + MIGRATIONS.size()
            + "): upgrade Parlance, or use another profile");
  }

  /**
   * Returns the schema version this code migrates to.
   *
   * @return the number of migrations
   */
  public static int latestSchemaVersion() {
    return MIGRATIONS.size();
  }

  /** Splits a migration script into statements: they are separated by blank lines. */
  static List<String> statements(String script) {
    List<String> out = new ArrayList<>();
    for (String block : script.split("\\n\\s*\\n")) {
      StringBuilder sql = new StringBuilder();
      for (String line : block.split("\\n")) {
        if (!line.strip().startsWith("--")) {
          sql.append(line).append('\n');
        }
      }
      if (!sql.toString().isBlank()) {
        out.add(sql.toString().strip());
      }
    }
    return out;
  }

  /**
   * Returns the statements that make the schema of a version from nothing, for tests that start
   * from an older database.
   *
   * @param version the schema version, 1 to {@link #latestSchemaVersion()}
   * @return the statements of its migrations, in order
   */
  static List<String> statementsUpTo(int version) {
    return Scripts.STATEMENTS.subList(0, version).stream().flatMap(List::stream).toList();
  }

  /** The statements of each migration, read from the jar once per process, not at every open. */
  private static final class Scripts {
    static final List<List<String>> STATEMENTS =
        MIGRATIONS.stream().map(name -> statements(readMigration(name))).toList();

    private Scripts() {}
  }

  private static String readMigration(String name) {
    try (InputStream in = MessageStore.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("migration " + name + " is missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read migration " + name, e);
    }
  }

  /**
   * Returns the schema version of the open database.
   *
   * @return the number of migrations applied
   */
  public int schemaVersion() {
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery("PRAGMA user_version")) {
      return rs.next() ? rs.getInt(1) : 0;
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  /**
   * Caps the database at its current size plus some pages, as a full disk would: writes past it
   * fail with {@code SQLITE_FULL}. For tests; a negative number lifts the cap.
   *
   * @param extraPages how many pages may still be added, or negative for no cap
   */
  void capPages(long extraPages) {
    try (Statement s = connection.createStatement()) {
      long pages;
      try (ResultSet rs = s.executeQuery("PRAGMA page_count")) {
        pages = rs.next() ? rs.getLong(1) : 0;
      }
      long cap = extraPages < 0 ? 4_294_967_294L : pages + extraPages;
      try (ResultSet rs = s.executeQuery("PRAGMA max_page_count = " + cap)) {
        rs.next();
      }
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  /**
   * Puts an outgoing message in the outbox, durably, with a new id.
   *
   * @param peer the key of the recipient
   * @param nickname the recipient's nickname
   * @param content the text
   * @param timestamp the send time, Unix seconds
   * @return the stored message, {@link DeliveryState#QUEUED}
   */
  public StoredMessage enqueue(String peer, String nickname, String content, long timestamp) {
    String id = newId();
    long seq =
        insert(
            id,
            Direction.OUT,
            peer,
            nickname,
            content,
            null,
            timestamp,
            DeliveryState.QUEUED,
            null);
    return new StoredMessage(
        seq, id, Direction.OUT, peer, nickname, content, timestamp, DeliveryState.QUEUED, 0);
  }

  /**
   * One recipient of {@link #enqueueAll}.
   *
   * @param peer the recipient's key
   * @param nickname the recipient's nickname
   */
  public record Addressee(String peer, String nickname) {
    public Addressee {
      Objects.requireNonNull(peer, "peer");
      Objects.requireNonNull(nickname, "nickname");
    }
  }

  /**
   * Puts one text in the outbox of several recipients, durably, each copy with a new id and its own
   * delivery state, as {@link #enqueue} does for one; the text itself is stored once, however many
   * copies point to it (a room line to each member: the line is most of what a copy weighs). Such a
   * text is not in the full-text {@link #search}, nor in a conversation's {@link #history}: it is
   * meant for room lines, which the rooms keep and index themselves. A copy costs less than a
   * message of its own: it is in fewer indexes (V10).
   *
   * @param recipients who gets a copy
   * @param content the text
   * @param timestamp the send time, Unix seconds
   * @return the stored copies, {@link DeliveryState#QUEUED}, in the order of {@code recipients}
   */
  public List<StoredMessage> enqueueAll(
      List<Addressee> recipients, String content, long timestamp) {
    Objects.requireNonNull(content, "content");
    if (recipients.isEmpty()) {
      return List.of();
    }
    long textId;
    try {
      PreparedStatement ps =
          statement("INSERT INTO shared_texts (content, refs) VALUES (?, ?) RETURNING id");
      ps.setString(1, content);
      ps.setInt(2, recipients.size());
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        textId = rs.getLong(1);
      }
    } catch (SQLException e) {
      throw failure(e);
    }
    List<StoredMessage> copies = new ArrayList<>(recipients.size());
    for (Addressee r : recipients) {
      String id = newId();
      long seq =
          insert(
              id,
              Direction.OUT,
              r.peer(),
              r.nickname(),
              "",
              textId,
              timestamp,
              DeliveryState.QUEUED,
              null);
      copies.add(
          new StoredMessage(
              seq,
              id,
              Direction.OUT,
              r.peer(),
              r.nickname(),
              content,
              timestamp,
              DeliveryState.QUEUED,
              0));
    }
    return copies;
  }

  /**
   * Makes a new message id, in time order by this store's clock ({@link MessageIds}).
   *
   * @return the id
   */
  public String newId() {
    return MessageIds.next(clock.getAsLong());
  }

  /**
   * Stores a received message unless it is a duplicate: a received message with the same id from
   * the same peer, where the same peer means the same key or the same nickname (a sender heard
   * before discovery told us its identity is keyed by nickname until then).
   *
   * @param id the message id
   * @param peer the key of the sender
   * @param nickname the sender's nickname
   * @param content the text
   * @param timestamp the sender's clock, Unix seconds
   * @return true if it was new, false if it was a duplicate
   */
  public boolean receive(String id, String peer, String nickname, String content, long timestamp) {
    return receive(id, peer, nickname, content, timestamp, false);
  }

  /**
   * Stores a received message unless it is a duplicate (see {@link #receive(String, String, String,
   * String, long)}), with whether its sender proved the conversation's key.
   *
   * @param id the message id
   * @param peer the key of the sender
   * @param nickname the sender's nickname
   * @param content the text
   * @param timestamp the sender's clock, Unix seconds
   * @param verified true if the sender proved, over TLS, the key {@code peer}
   * @return true if it was new, false if it was a duplicate
   */
  public boolean receive(
      String id, String peer, String nickname, String content, long timestamp, boolean verified) {
    // One statement looks for a duplicate and inserts: one step into SQLite instead of three.
    long now = clock.getAsLong();
    try {
      PreparedStatement ps =
          statement(
              "INSERT OR IGNORE INTO messages (id, direction, peer, nickname, content, timestamp,"
                  + " state, created_ms, updated_ms, pending, verified)"
                  + " SELECT ?1, 'in', ?2, ?3, ?4, ?5, 'received', ?6, ?6, 0, ?7"
                  + " WHERE NOT EXISTS (SELECT 1 FROM messages WHERE direction = 'in' AND id = ?1"
                  + " AND (peer = ?2 OR nickname = ?3))");
      ps.setString(1, id);
      ps.setString(2, peer);
      ps.setString(3, nickname);
      ps.setString(4, content);
      ps.setLong(5, timestamp);
      ps.setLong(6, now);
      ps.setInt(7, verified ? 1 : 0);
      if (ps.executeUpdate() == 0) {
        return false;
      }
      unindexed++;
      return true;
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  /**
   * Returns the keys of the conversations with a nickname, the most recent first: a nickname may
   * stand for several peers (two people, or a plain peer using a verified one's name).
   *
   * @param nickname the nickname
   * @return the peer keys, possibly none
   */
  public List<String> keysForNickname(String nickname) {
    List<String> keys = new ArrayList<>();
    try {
      PreparedStatement ps =
          statement(
              "SELECT peer FROM messages WHERE nickname = ? AND text_id IS NULL GROUP BY peer"
                  + " ORDER BY max(seq) DESC LIMIT 64");
      ps.setString(1, nickname);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          keys.add(rs.getString(1));
        }
      }
      return keys;
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  /**
   * Returns the key of the most recent conversation with a nickname, so a peer seen before can be
   * written to while it is away, and a sender not yet discovered is filed under the key it had.
   *
   * @param nickname the nickname
   * @return the peer key, or empty if no message to or from that nickname is stored
   */
  public Optional<String> keyForNickname(String nickname) {
    try {
      PreparedStatement ps =
          statement(
              "SELECT peer FROM messages WHERE nickname = ? AND text_id IS NULL"
                  + " ORDER BY seq DESC LIMIT 1");
      ps.setString(1, nickname);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  private long insert(
      String id,
      Direction direction,
      String peer,
      String nickname,
      String content,
      @Nullable Long textId,
      long timestamp,
      DeliveryState state,
      Integer verified) {
    long now = clock.getAsLong();
    String sql =
        "INSERT OR IGNORE INTO messages"
            + " (id, direction, peer, nickname, content, timestamp, state, created_ms, updated_ms,"
            + " pending, verified, text_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            + " RETURNING seq";
    try {
      PreparedStatement ps = statement(sql);
      ps.setString(1, id);
      ps.setString(2, direction.column());
      ps.setString(3, peer);
      ps.setString(4, nickname);
      ps.setString(5, content);
      ps.setLong(6, timestamp);
      ps.setString(7, state.column());
      ps.setLong(8, now);
      ps.setLong(9, now);
      ps.setInt(10, direction == Direction.OUT ? 1 : 0);
      if (verified == null) {
        ps.setNull(11, java.sql.Types.INTEGER);
      } else {
        ps.setInt(11, verified);
      }
      if (textId == null) {
        ps.setNull(12, java.sql.Types.INTEGER);
      } else {
        ps.setLong(12, textId);
      }
      // The new row's seq comes back from the insert itself: one step into SQLite, not two.
      try (ResultSet inserted = ps.executeQuery()) {
        if (!inserted.next()) {
          return -1; // ignored: the id is taken
        }
        unindexed++;
        return inserted.getLong(1);
      }
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  /**
   * Records that an outgoing message was written to the peer once more; it stays in the outbox
   * until the peer acknowledges it.
   *
   * @param peer the recipient's key
   * @param id the message id
   */
  public void markSent(String peer, String id) {
    update(
        "UPDATE messages SET state = 'sent', attempts = attempts + 1, updated_ms = ?"
            + " WHERE direction = 'out' AND peer = ? AND id = ? AND state != 'delivered'",
        peer,
        id);
  }

  /**
   * Records that an outgoing message was written to a plain peer, which cannot acknowledge: sent is
   * final, and the message leaves the outbox.
   *
   * @param peer the recipient's key
   * @param id the message id
   * @return true if the message was in the outbox
   */
  public boolean markSentFinal(String peer, String id) {
    return update(
            "UPDATE messages SET state = 'sent', attempts = attempts + 1, pending = 0,"
                + " updated_ms = ? WHERE direction = 'out' AND peer = ? AND id = ? AND pending = 1",
            peer,
            id)
        > 0;
  }

  /**
   * Records several outgoing messages to a plain peer as written, which is final (see {@link
   * #markSentFinal(String, String)}), in one statement batch.
   *
   * @param peer the recipient's key
   * @param ids the message ids
   */
  public void markSentFinal(String peer, Collection<String> ids) {
    updateAll(
        "UPDATE messages SET state = 'sent', attempts = attempts + 1, pending = 0,"
            + " updated_ms = ? WHERE direction = 'out' AND peer = ? AND id = ? AND pending = 1",
        peer,
        ids);
  }

  /**
   * Records that the peer acknowledged an outgoing message: it leaves the outbox.
   *
   * @param peer the recipient's key
   * @param id the message id
   * @return true if the message was in the outbox
   */
  public boolean markDelivered(String peer, String id) {
    return update(
            "UPDATE messages SET state = 'delivered', pending = 0, updated_ms = ?"
                + " WHERE direction = 'out' AND peer = ? AND id = ? AND state != 'delivered'",
            peer,
            id)
        > 0;
  }

  /**
   * Records several outgoing messages to one peer as written once more, in one statement batch.
   *
   * @param peer the recipient's key
   * @param ids the message ids
   */
  public void markSent(String peer, Collection<String> ids) {
    updateAll(
        "UPDATE messages SET state = 'sent', attempts = attempts + 1, updated_ms = ?"
            + " WHERE direction = 'out' AND peer = ? AND id = ? AND state != 'delivered'",
        peer,
        ids);
  }

  /**
   * Records that a peer acknowledged several outgoing messages, in one statement batch.
   *
   * @param peer the recipient's key
   * @param ids the message ids
   */
  public void markDelivered(String peer, Collection<String> ids) {
    updateAll(
        "UPDATE messages SET state = 'delivered', pending = 0, updated_ms = ?"
            + " WHERE direction = 'out' AND peer = ? AND id = ? AND state != 'delivered'",
        peer,
        ids);
  }

  /**
   * Records, in one statement per message, that several outgoing messages to one peer were written
   * once more and then acknowledged: what {@link #markSent(String, Collection)} followed by {@link
   * #markDelivered(String, Collection)} leave, with half the updates. A sender uses it when the ack
   * came before it had recorded the write.
   *
   * @param peer the recipient's key
   * @param ids the message ids
   */
  public void markSentAndDelivered(String peer, Collection<String> ids) {
    updateAll(
        "UPDATE messages SET state = 'delivered', attempts = attempts + 1, pending = 0,"
            + " updated_ms = ? WHERE direction = 'out' AND peer = ? AND id = ?"
            + " AND state != 'delivered'",
        peer,
        ids);
  }

  private void updateAll(String sql, String peer, Collection<String> ids) {
    if (ids.isEmpty()) {
      return;
    }
    try {
      PreparedStatement ps = statement(sql);
      long now = clock.getAsLong();
      for (String id : ids) {
        ps.setLong(1, now);
        ps.setString(2, peer);
        ps.setString(3, id);
        ps.addBatch();
      }
      ps.executeBatch();
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  private int update(String sql, String peer, String id) {
    try {
      PreparedStatement ps = statement(sql);
      ps.setLong(1, clock.getAsLong());
      ps.setString(2, peer);
      ps.setString(3, id);
      return ps.executeUpdate();
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  /**
   * Returns the outgoing messages to a peer that are not delivered yet, oldest first.
   *
   * @param peer the recipient's key
   * @param limit the most to return
   * @return the outbox for that peer
   */
  public List<StoredMessage> outbox(String peer, int limit) {
    return outbox(peer, 0, limit);
  }

  /**
   * Returns the next page of a peer's outbox: the messages after a position, oldest first.
   *
   * @param peer the recipient's key
   * @param afterSeq only messages with a larger {@link StoredMessage#seq()}
   * @param limit the most to return
   * @return the page
   */
  public List<StoredMessage> outbox(String peer, long afterSeq, int limit) {
    try {
      PreparedStatement ps =
          statement(
              "SELECT * FROM messages_full WHERE pending = 1 AND peer = ? AND seq > ? ORDER BY seq"
                  + " LIMIT ?");
      ps.setString(1, peer);
      ps.setLong(2, afterSeq);
      ps.setInt(3, Math.max(0, limit));
      return read(ps);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  /**
   * Returns the keys of the peers that have messages waiting in the outbox.
   *
   * @return the peer keys
   */
  public List<String> outboxPeers() {
    List<String> peers = new ArrayList<>();
    try (PreparedStatement ps =
            connection.prepareStatement("SELECT DISTINCT peer FROM messages WHERE pending = 1");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        peers.add(rs.getString(1));
      }
      return peers;
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  /**
   * Returns the last messages of a conversation, oldest first. A conversation belongs to a peer's
   * key, whatever nickname it had: a nickname finds the one conversation filed under it, whole (the
   * messages before and after a rename too), never several peers' messages mixed.
   *
   * @param name a peer key; a nickname; {@code nickname#ABCD} (the start of the key, for a nickname
   *     several keyed peers had); {@code nickname#plain} (the plain, unverified messages under a
   *     nickname a keyed peer also has); or the start of one peer's id (at least 4 characters, as
   *     {@code /peers} shows it; any case, dashes optional)
   * @param limit how many of the most recent messages
   * @return the messages in the order they were sent or received
   * @throws IllegalArgumentException if the name stands for several conversations, saying how to
   *     name each
   */
  public List<StoredMessage> history(String name, int limit) {
    Optional<String> key = conversationKey(name);
    List<StoredMessage> newestFirst;
    if (key.isEmpty()) {
      newestFirst = new ArrayList<>();
    } else if (key.get().equals(BY_NICKNAME)) {
      // Several conversations under the nickname, none keyed by an id: what the name has.
      newestFirst =
          query(
              // text_id in each branch of the OR, so each can use its (partial) index
              "SELECT * FROM messages_full WHERE (peer = ?1 AND text_id IS NULL"
                  + " OR nickname = ?1 AND text_id IS NULL) ORDER BY seq DESC LIMIT ?2",
              name,
              limit);
    } else {
      newestFirst =
          query(
              "SELECT * FROM messages_full WHERE peer = ?1 AND text_id IS NULL ORDER BY seq DESC"
                  + " LIMIT ?2",
              key.get(),
              limit);
    }
    Collections.reverse(newestFirst);
    return newestFirst;
  }

  /** Stands for "every message under the nickname": no id-keyed conversation to prefer. */
  private static final String BY_NICKNAME = "";

  /** The one conversation a name means, or empty if none; see {@link #history}. */
  private Optional<String> conversationKey(String name) {
    if (isKey(name) && hasConversation(name)) {
      return Optional.of(name);
    }
    List<String> keys = keysForNickname(name);
    List<String> keyed = keys.stream().filter(MessageStore::isKey).toList();
    if (keyed.size() == 1) {
      return Optional.of(keyed.get(0)); // a plain peer using the name is not mixed in
    }
    if (keyed.size() > 1) {
      throw new IllegalArgumentException(
          "'"
              + name
              + "' had "
              + keyed.size()
              + " peers with different keys: "
              + keyed.stream()
                  .map(k -> name + "#" + k.substring(0, 4))
                  .collect(java.util.stream.Collectors.joining(", "))
              + (keys.size() > keyed.size() ? ", and a plain peer (" + name + "#plain)" : "")
              + "; name one of them");
    }
    if (keys.size() == 1) {
      return Optional.of(keys.get(0));
    }
    if (keys.size() > 1) {
      return Optional.of(BY_NICKNAME);
    }
    if (hasConversation(name)) {
      return Optional.of(name); // a plain peer's conversation is its nickname
    }
    int hash = name.lastIndexOf('#');
    if (hash > 0) {
      String nick = name.substring(0, hash);
      String prefix = name.substring(hash + 1).replace("-", "").toUpperCase(Locale.ROOT);
      List<String> nickKeys = keysForNickname(nick);
      if (prefix.equals("PLAIN")) {
        return nickKeys.contains(nick) || hasConversation(nick)
            ? Optional.of(nick)
            : Optional.empty();
      }
      List<String> matching =
          prefix.isEmpty()
              ? List.of()
              : nickKeys.stream()
                  .filter(k -> isKey(k) && k.replace("-", "").startsWith(prefix))
                  .toList();
      if (matching.size() == 1) {
        return Optional.of(matching.get(0));
      }
    }
    return keyForIdPrefix(name);
  }

  /** Tells whether a conversation key is a peer id (13 groups of four), not a plain nickname. */
  private static boolean isKey(String key) {
    return key.length() == 64 && key.matches("([A-Z2-7]{4}-){12}[A-Z2-7]{4}");
  }

  private boolean hasConversation(String key) {
    try {
      PreparedStatement ps =
          statement("SELECT 1 FROM messages WHERE peer = ? AND text_id IS NULL LIMIT 1");
      ps.setString(1, key);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next();
      }
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  /**
   * Finds the one stored peer whose id starts with the text.
   *
   * @param text the start of an id, any case, dashes optional
   * @return the peer's key, or empty if the text is not an id's start or no stored id starts so
   * @throws IllegalArgumentException if several stored peers' ids start so
   */
  Optional<String> keyForIdPrefix(String text) {
    String prefix = text.replace("-", "").toUpperCase(Locale.ROOT);
    if (prefix.length() < MIN_ID_PREFIX || !prefix.matches("[A-Z2-7]+")) {
      return Optional.empty();
    }
    List<String> keys = new ArrayList<>();
    try {
      PreparedStatement ps =
          statement(
              "SELECT DISTINCT peer FROM messages WHERE length(peer) = 64"
                  + " AND text_id IS NULL AND replace(peer, '-', '') GLOB ?"
                  + " ORDER BY peer LIMIT 3");
      ps.setString(1, prefix + "*");
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          keys.add(rs.getString(1));
        }
      }
    } catch (SQLException e) {
      throw failure(e);
    }
    if (keys.size() > 1) {
      throw new IllegalArgumentException(
          "'"
              + text
              + "' is the start of more than one peer's id ("
              + String.join(", ", keys.stream().map(k -> k.substring(0, 9) + "...").toList())
              + "); type more of it");
    }
    return keys.stream().findFirst();
  }

  /**
   * Searches every message's text (and the peer's nickname) with the full-text index. Each word of
   * the query must appear; words match by prefix-free whole tokens, case-insensitively.
   *
   * @param text the words to look for
   * @param limit the most to return
   * @return matching messages, most recent first
   */
  public List<StoredMessage> search(String text, int limit) {
    String match = ftsQuery(text);
    if (match.isEmpty()) {
      return List.of();
    }
    if (!readOnly) {
      indexPending(Integer.MAX_VALUE);
    }
    List<StoredMessage> found =
        query(
            "SELECT m.* FROM messages_fts f JOIN messages_full m ON m.seq = f.rowid"
                + " WHERE messages_fts MATCH ? ORDER BY m.seq DESC LIMIT ?",
            match,
            limit);
    return readOnly ? withUnindexed(text, found, limit) : found;
  }

  /** The most messages a read-only search scans past the full-text index (see below). */
  private static final int UNINDEXED_SCAN = 10_000;

  /**
   * Adds to a read-only search the messages not in the full-text index yet (a node killed before it
   * filled the index; it is filled at the next start): they match when each word is in their text
   * or nickname, in any case, which may find a little more than the index would.
   */
  private List<StoredMessage> withUnindexed(String text, List<StoredMessage> found, int limit) {
    long done = indexedUpTo();
    List<String> words =
        java.util.Arrays.stream(text.strip().toLowerCase(Locale.ROOT).split("\\s+"))
            .filter(w -> !w.isEmpty())
            .toList();
    List<StoredMessage> tail = new ArrayList<>();
    try (PreparedStatement ps =
        connection.prepareStatement(
            readable("SELECT * FROM messages_full WHERE seq > ? ORDER BY seq DESC LIMIT ")
                + UNINDEXED_SCAN)) {
      ps.setLong(1, done);
      for (StoredMessage m : read(ps)) {
        if (m.content().startsWith("\u0001")) {
          continue; // a room line, which the index leaves out too
        }
        String haystack = (m.content() + " " + m.nickname()).toLowerCase(Locale.ROOT);
        if (words.stream().allMatch(haystack::contains)) {
          tail.add(m);
        }
      }
    } catch (SQLException e) {
      throw failure(e);
    }
    if (tail.isEmpty()) {
      return found;
    }
    tail.addAll(found); // the unindexed are the newest
    return tail.subList(0, Math.min(tail.size(), Math.max(0, limit)));
  }

  /**
   * Returns the highest {@code seq} in the full-text index: every message up to it is indexed. An
   * older database (before V6) is indexed by a trigger, so all of it is.
   */
  private long indexedUpTo() {
    try (Statement s = connection.createStatement()) {
      try (ResultSet rs = s.executeQuery("SELECT seq FROM messages_fts_done")) {
        return rs.next() ? rs.getLong(1) : 0;
      } catch (SQLException e) {
        if (schemaVersion() < 6) {
          return Long.MAX_VALUE;
        }
        throw e;
      }
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  /**
   * Returns how many messages may be stored and not yet in the full-text index.
   *
   * @return an upper bound: 0 means the index holds every message this store stored
   */
  int unindexed() {
    return unindexed;
  }

  /**
   * Puts the messages stored since the last call into the full-text index, oldest first, in one
   * statement: far cheaper than a trigger per message. {@link AsyncMessageStore} calls it in a
   * transaction of its own after a batch, off the path of acknowledgements; {@link #search} calls
   * it first, so a search finds everything stored.
   *
   * @param limit the most messages to index
   * @return how many were indexed
   */
  int indexPending(int limit) {
    try {
      long done;
      try (ResultSet rs = statement("SELECT seq FROM messages_fts_done").executeQuery()) {
        done = rs.next() ? rs.getLong(1) : 0;
      }
      long upTo;
      try (ResultSet rs =
          statementWithLimit(
                  "SELECT max(seq) FROM (SELECT seq FROM messages WHERE seq > ? ORDER BY seq"
                      + " LIMIT ?)",
                  done,
                  limit)
              .executeQuery()) {
        rs.next();
        upTo = rs.getLong(1);
        if (rs.wasNull()) {
          unindexed = 0;
          return 0;
        }
      }
      PreparedStatement fill =
          statement(
              "INSERT INTO messages_fts (rowid, content, nickname)"
                  + " SELECT seq, content, nickname FROM messages WHERE seq > ? AND seq <= ?"
                  // room lines: the rooms index what they carry (see V8 and V9)
                  + " AND text_id IS NULL AND substr(content, 1, 1) != char(1)");
      fill.setLong(1, done);
      fill.setLong(2, upTo);
      int indexed = fill.executeUpdate();
      PreparedStatement mark = statement("UPDATE messages_fts_done SET seq = ?");
      mark.setLong(1, upTo);
      mark.executeUpdate();
      unindexed = limit == Integer.MAX_VALUE ? 0 : Math.max(0, unindexed - indexed);
      return indexed;
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  /**
   * Returns the number ({@code seq}) of the last message stored, 0 if there is none. A node reads
   * it as it starts, so a front can tell what an earlier run stored from what it is shown as it
   * comes.
   *
   * @return the highest seq
   */
  public long lastSeq() {
    try (ResultSet rs = statement("SELECT coalesce(max(seq), 0) FROM messages").executeQuery()) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  private PreparedStatement statementWithLimit(String sql, long after, int limit)
      throws SQLException {
    PreparedStatement ps = statement(sql);
    ps.setLong(1, after);
    ps.setInt(2, Math.max(0, limit));
    return ps;
  }

  // ---- Rooms: states and messages as their signed wire JSON (see V3__rooms.sql) ----

  /**
   * A stored room message, for history and search.
   *
   * @param room the room id
   * @param id the message id
   * @param author the author's peer id
   * @param nickname the author's nickname when it was stored
   * @param clock its Lamport clock
   * @param text its text
   * @param createdMs when we stored it, Unix milliseconds
   */
  public record RoomRow(
      String room,
      String id,
      String author,
      String nickname,
      long clock,
      String text,
      long createdMs) {}

  /**
   * Stores a room state version, replacing one of the same version (a settled concurrent change).
   *
   * @param room the room id
   * @param version the version
   * @param name the room's name
   * @param json the signed state
   */
  public void saveRoomState(String room, long version, String name, String json) {
    try {
      PreparedStatement ps =
          statement(
              "INSERT OR REPLACE INTO room_states (room, version, name, json) VALUES (?, ?, ?, ?)");
      ps.setString(1, room);
      ps.setLong(2, version);
      ps.setString(3, name);
      ps.setString(4, json);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  /**
   * Stores a room message unless it is stored already.
   *
   * @param row the message's fields
   * @param seq the author's sequence number
   * @param json the signed message
   * @return true if it was new
   */
  public boolean saveRoomMessage(RoomRow row, long seq, String json) {
    try {
      PreparedStatement ps =
          statement(
              "INSERT OR IGNORE INTO room_messages (room, id, author, nickname, seq, clock, text,"
                  + " json, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
      ps.setString(1, row.room());
      ps.setString(2, row.id());
      ps.setString(3, row.author());
      ps.setString(4, row.nickname());
      ps.setLong(5, seq);
      ps.setLong(6, row.clock());
      ps.setString(7, row.text());
      ps.setString(8, json);
      ps.setLong(9, clock.getAsLong());
      return ps.executeUpdate() > 0;
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  /**
   * Deletes a room message (a removed member's, written after its removal).
   *
   * @param room the room id
   * @param id the message id
   */
  public void deleteRoomMessage(String room, String id) {
    try {
      PreparedStatement ps = statement("DELETE FROM room_messages WHERE room = ? AND id = ?");
      ps.setString(1, room);
      ps.setString(2, id);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  /**
   * What waits in the outbox for one recipient.
   *
   * @param waiting entries not yet acknowledged (queued, sent or deposited)
   * @param deposited of those, how many wait sealed in the bootstrap server's mailbox
   */
  public record PendingCount(int waiting, int deposited) {

    /** Nothing waiting. */
    public static final PendingCount NONE = new PendingCount(0, 0);
  }

  /**
   * Counts, per recipient, the outbox entries that carry one of our posts in a room, in one pass
   * over the outbox: an entry's text is the room envelope's prefix then the line's JSON, {@code
   * {"type":"room_msg","message":{"room":<id>,...}}} for a post; other texts, and other room lines
   * (states, votes, sync replies), are not counted.
   *
   * @param linePrefix what the text of every room line starts with
   * @param room the room id
   * @return the counts by recipient key; a recipient with nothing waiting is absent
   */
  public Map<String, PendingCount> pendingRoomPosts(String linePrefix, String room) {
    try {
      PreparedStatement ps =
          statement(
              "SELECT peer, COUNT(*), SUM(deposited_ms > 0) FROM ("
                  + "SELECT peer, deposited_ms, substr(content, length(?1) + 1) AS line"
                  + " FROM messages_full WHERE pending = 1 AND direction = 'out'"
                  + " AND substr(content, 1, length(?1)) = ?1)"
                  // json_valid first: a text that is not JSON is not counted, and fails nothing
                  + " WHERE CASE WHEN json_valid(line)"
                  + " THEN line ->> '$.type' = 'room_msg' AND line ->> '$.message.room' = ?2"
                  + " ELSE 0 END"
                  + " GROUP BY peer");
      ps.setString(1, linePrefix);
      ps.setString(2, room);
      Map<String, PendingCount> counts = new HashMap<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          counts.put(rs.getString(1), new PendingCount(rs.getInt(2), rs.getInt(3)));
        }
      }
      return counts;
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  /**
   * A stored invitation to a room.
   *
   * @param room the room id
   * @param inviter the peer id of the member that sent it
   * @param nickname the inviter's nickname then
   * @param json the signed state it carried
   * @param receivedMs when it arrived, Unix milliseconds
   */
  public record RoomInvitation(
      String room, String inviter, String nickname, String json, long receivedMs) {}

  /**
   * Stores an invitation, replacing an earlier one to the same room.
   *
   * @param room the room id
   * @param name the room's name
   * @param inviter the inviter's peer id
   * @param nickname the inviter's nickname
   * @param json the signed state it carried
   * @param receivedMs when it arrived, Unix milliseconds
   */
  public void saveRoomInvitation(
      String room, String name, String inviter, String nickname, String json, long receivedMs) {
    try {
      PreparedStatement ps =
          statement(
              "INSERT OR REPLACE INTO room_invitations (room, name, inviter, nickname, json,"
                  + " received_ms) VALUES (?, ?, ?, ?, ?, ?)");
      ps.setString(1, room);
      ps.setString(2, name);
      ps.setString(3, inviter);
      ps.setString(4, nickname);
      ps.setString(5, json);
      ps.setLong(6, receivedMs);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  /**
   * Deletes the invitation to a room (accepted or withdrawn), if there is one.
   *
   * @param room the room id
   */
  public void deleteRoomInvitation(String room) {
    try {
      PreparedStatement ps = statement("DELETE FROM room_invitations WHERE room = ?");
      ps.setString(1, room);
      ps.executeUpdate();
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  /**
   * Deletes the invitations that arrived before a time.
   *
   * @param receivedBeforeMs the time, Unix milliseconds
   * @return how many were deleted
   */
  public int deleteRoomInvitationsBefore(long receivedBeforeMs) {
    try {
      PreparedStatement ps = statement("DELETE FROM room_invitations WHERE received_ms < ?");
      ps.setLong(1, receivedBeforeMs);
      return ps.executeUpdate();
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  /**
   * Returns the stored invitations, oldest first.
   *
   * @return the invitations
   */
  public List<RoomInvitation> roomInvitations() {
    try (PreparedStatement ps =
        connection.prepareStatement(
            "SELECT room, inviter, nickname, json, received_ms FROM room_invitations"
                + " ORDER BY received_ms, room")) {
      try (ResultSet rs = ps.executeQuery()) {
        List<RoomInvitation> out = new ArrayList<>();
        while (rs.next()) {
          out.add(
              new RoomInvitation(
                  rs.getString(1),
                  rs.getString(2),
                  rs.getString(3),
                  rs.getString(4),
                  rs.getLong(5)));
        }
        return out;
      }
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  /**
   * Forgets a room: its states and messages (after {@code /leave}).
   *
   * @param room the room id
   */
  public void deleteRoom(String room) {
    try {
      PreparedStatement states = statement("DELETE FROM room_states WHERE room = ?");
      states.setString(1, room);
      states.executeUpdate();
      PreparedStatement messages = statement("DELETE FROM room_messages WHERE room = ?");
      messages.setString(1, room);
      messages.executeUpdate();
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  /**
   * Returns the ids of the rooms with a stored state.
   *
   * @return the room ids
   */
  public List<String> rooms() {
    return strings("SELECT DISTINCT room FROM room_states ORDER BY room", null);
  }

  /**
   * Returns the name of each room with a stored state (a room's name never changes).
   *
   * @return room id to name
   */
  public java.util.Map<String, String> roomNames() {
    try (PreparedStatement ps =
            connection.prepareStatement("SELECT room, min(name) FROM room_states GROUP BY room");
        ResultSet rs = ps.executeQuery()) {
      java.util.Map<String, String> out = new java.util.HashMap<>();
      while (rs.next()) {
        out.put(rs.getString(1), rs.getString(2));
      }
      return out;
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  /**
   * Returns a room's stored states, oldest first.
   *
   * @param room the room id
   * @return the signed states as JSON
   */
  public List<String> roomStates(String room) {
    return strings("SELECT json FROM room_states WHERE room = ? ORDER BY version", room);
  }

  /**
   * Returns a room's stored messages in the room's order.
   *
   * @param room the room id
   * @return the signed messages as JSON
   */
  public List<String> roomMessages(String room) {
    return strings(
        "SELECT json FROM room_messages WHERE room = ? ORDER BY clock, author, seq", room);
  }

  /**
   * Returns the latest messages of a room, in the room's order.
   *
   * @param room the room id
   * @param limit the most to return
   * @return the messages, oldest first
   */
  public List<RoomRow> roomHistory(String room, int limit) {
    return roomRows(
        "SELECT * FROM (SELECT * FROM room_messages WHERE room = ?"
            + " ORDER BY clock DESC, author DESC, seq DESC LIMIT ?) ORDER BY clock, author, seq",
        room,
        limit);
  }

  /**
   * Finds room messages whose text or author nickname has all the words, newest first.
   *
   * @param text the words
   * @param limit the most to return
   * @return the messages
   */
  public List<RoomRow> roomSearch(String text, int limit) {
    String match = ftsQuery(text);
    if (match.isEmpty()) {
      return List.of();
    }
    return roomRows(
        "SELECT m.* FROM room_messages_fts f JOIN room_messages m ON m.rowid = f.rowid"
            + " WHERE room_messages_fts MATCH ? ORDER BY m.created_ms DESC LIMIT ?",
        match,
        limit);
  }

  private List<RoomRow> roomRows(String sql, String key, int limit) {
    try (PreparedStatement ps = connection.prepareStatement(sql)) {
      ps.setString(1, key);
      ps.setInt(2, Math.max(0, limit));
      try (ResultSet rs = ps.executeQuery()) {
        List<RoomRow> out = new ArrayList<>();
        while (rs.next()) {
          out.add(
              new RoomRow(
                  rs.getString("room"),
                  rs.getString("id"),
                  rs.getString("author"),
                  rs.getString("nickname"),
                  rs.getLong("clock"),
                  rs.getString("text"),
                  rs.getLong("created_ms")));
        }
        return out;
      }
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  private List<String> strings(String sql, String key) {
    try (PreparedStatement ps = connection.prepareStatement(sql)) {
      if (key != null) {
        ps.setString(1, key);
      }
      try (ResultSet rs = ps.executeQuery()) {
        List<String> out = new ArrayList<>();
        while (rs.next()) {
          out.add(rs.getString(1));
        }
        return out;
      }
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  /** Quotes each word so user text never reaches FTS5's query syntax. */
  static String ftsQuery(String text) {
    StringBuilder match = new StringBuilder();
    for (String word : text.strip().split("\\s+")) {
      if (!word.isEmpty()) {
        if (match.length() > 0) {
          match.append(' ');
        }
        match.append('"').append(word.replace("\"", "\"\"")).append('"');
      }
    }
    return match.toString();
  }

  private List<StoredMessage> query(String sql, String key, int limit) {
    try (PreparedStatement ps = connection.prepareStatement(readable(sql))) {
      ps.setString(1, key);
      ps.setInt(2, Math.max(0, limit));
      return read(ps);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  private static List<StoredMessage> read(PreparedStatement ps) throws SQLException {
    try (ResultSet rs = ps.executeQuery()) {
      List<StoredMessage> out = new ArrayList<>();
      int deposited = depositedColumn(rs);
      while (rs.next()) {
        out.add(
            new StoredMessage(
                rs.getLong("seq"),
                rs.getString("id"),
                Direction.fromColumn(rs.getString("direction")),
                rs.getString("peer"),
                rs.getString("nickname"),
                rs.getString("content"),
                rs.getLong("timestamp"),
                stateOf(rs, deposited),
                rs.getInt("attempts"),
                verified(rs)));
      }
      return out;
    }
  }

  /** The index of the {@code deposited_ms} column in a result, or 0 if it has none. */
  private static int depositedColumn(ResultSet rs) throws SQLException {
    java.sql.ResultSetMetaData meta = rs.getMetaData();
    for (int i = 1; i <= meta.getColumnCount(); i++) {
      if ("deposited_ms".equalsIgnoreCase(meta.getColumnName(i))) {
        return i;
      }
    }
    return 0;
  }

  /** A queued or sent message that waits in the server's mailbox is {@code deposited}. */
  private static DeliveryState stateOf(ResultSet rs, int depositedColumn) throws SQLException {
    DeliveryState state = DeliveryState.fromColumn(rs.getString("state"));
    if ((state == DeliveryState.QUEUED || state == DeliveryState.SENT) && depositedColumn > 0) {
      if (rs.getLong(depositedColumn) > 0) {
        return DeliveryState.DEPOSITED;
      }
    }
    return state;
  }

  /**
   * Records that an outgoing message was deposited in the bootstrap server's mailbox; it stays in
   * the outbox until it is delivered.
   *
   * @param peer the recipient's key
   * @param id the message id
   * @return true if it was in the outbox
   */
  public boolean markDeposited(String peer, String id) {
    return update(
            "UPDATE messages SET deposited_ms = ?1, updated_ms = ?1"
                + " WHERE direction = 'out' AND peer = ?2 AND id = ?3 AND pending = 1"
                // Once expired there (-1), a deposit still in flight does not make it deposited.
                + " AND (deposited_ms IS NULL OR deposited_ms > 0)",
            peer,
            id)
        > 0;
  }

  /**
   * Records that a deposited message expired in the mailbox unfetched: it is queued (or sent)
   * again, for direct delivery only (it is not deposited again: {@code deposited_ms} is -1).
   *
   * @param peer the recipient's key
   * @param id the message id
   * @return true if it was deposited and still in the outbox
   */
  public boolean clearDeposited(String peer, String id) {
    return update(
            "UPDATE messages SET deposited_ms = -1, updated_ms = ?1"
                + " WHERE direction = 'out' AND peer = ?2 AND id = ?3 AND pending = 1"
                + " AND deposited_ms > 0",
            peer,
            id)
        > 0;
  }

  /**
   * Returns one outgoing message.
   *
   * @param peer the recipient's key
   * @param id the message id
   * @return the message, or empty
   */
  public Optional<StoredMessage> outgoing(String peer, String id) {
    try {
      PreparedStatement ps =
          statement("SELECT * FROM messages_full WHERE direction = 'out' AND peer = ? AND id = ?");
      ps.setString(1, peer);
      ps.setString(2, id);
      return read(ps).stream().findFirst();
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  /**
   * Returns outgoing messages still in the outbox and not deposited, stored before a time, oldest
   * first: what may go to the mailbox of a peer that stays away.
   *
   * @param createdBeforeMs only messages stored before this, Unix milliseconds
   * @param limit the most to return
   * @return the messages
   */
  public List<StoredMessage> mailCandidates(long createdBeforeMs, int limit) {
    try {
      PreparedStatement ps =
          statement(
              "SELECT * FROM messages_full WHERE pending = 1 AND direction = 'out'"
                  + " AND deposited_ms IS NULL AND created_ms < ? ORDER BY seq LIMIT ?");
      ps.setLong(1, createdBeforeMs);
      ps.setInt(2, Math.max(0, limit));
      return read(ps);
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  /** The verified column: null for a sent message, false for a received one not recorded. */
  private static Boolean verified(ResultSet rs) throws SQLException {
    if (!"in".equals(rs.getString("direction"))) {
      return null;
    }
    try {
      return rs.getInt(rs.findColumn("verified")) == 1;
    } catch (SQLException e) {
      return false; // an older database read without migrating it (parlance history, read-only)
    }
  }

  /**
   * Starts a transaction: the writes until {@link #commit()} become durable together, with one
   * flush to disk.
   */
  void begin() {
    transactionLost = false;
    run("BEGIN");
  }

  /**
   * Set when a unit of work failed and SQLite had rolled back the whole transaction, not only that
   * unit: a single-row statement has no statement journal, so on {@code SQLITE_FULL} SQLite undoes
   * the transaction. The work of the other units is gone with it.
   */
  private boolean transactionLost;

  /**
   * Tells whether, since {@link #begin()}, a failed unit of work took the whole transaction with
   * it, so the units that succeeded before it must run again.
   *
   * @return true if the transaction is gone
   */
  boolean transactionLost() {
    return transactionLost;
  }

  /** Commits the transaction {@link #begin()} started. */
  void commit() {
    run("COMMIT");
  }

  /** Undoes the transaction {@link #begin()} started, if it is still open. */
  void rollbackQuietly() {
    try (Statement s = connection.createStatement()) {
      s.execute("ROLLBACK");
    } catch (SQLException ignored) {
      // SQLite may have rolled it back already (after an I/O error); nothing is left to undo.
    }
  }

  /**
   * Makes the store usable again after a failed write: undoes what is left of the transaction and
   * forgets the prepared statements, which the driver may have finalized (after {@code SQLITE_FULL}
   * every one of them failed with "statement is not executing" until a restart). They are prepared
   * again on next use, so once the disk has room the next write succeeds.
   */
  void recover() {
    rollbackQuietly();
    closeStatements();
  }

  private void closeStatements() {
    for (PreparedStatement ps : statements.values()) {
      try {
        ps.close();
      } catch (SQLException ignored) {
        // Already finalized by the driver, or the connection closes next: nothing to free.
      }
    }
    statements.clear();
  }

  /**
   * Runs one unit of work inside the open transaction, undoing only its own writes if it fails.
   *
   * @param work what to do
   * @param <T> the result type
   * @return the result
   */
  <T> T savepoint(java.util.function.Function<MessageStore, T> work) {
    // One name does: a savepoint is released before the next one starts.
    run("SAVEPOINT unit");
    try {
      T result = work.apply(this);
      run("RELEASE unit");
      return result;
    } catch (RuntimeException e) {
      try (Statement s = connection.createStatement()) {
        s.execute("ROLLBACK TO unit");
        s.execute("RELEASE unit");
      } catch (SQLException gone) {
        // The whole transaction is gone (SQLite rolls back on some errors): say so.
        transactionLost = true;
      }
      closeStatements(); // the failure may have left them unusable, as recover() says
      throw e;
    }
  }

  /** Runs a statement without parameters or results, prepared once. */
  private void run(String sql) {
    try {
      statement(sql).execute();
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  /**
   * A query of {@code messages_full} (the rows with their whole text, see V9) or of the rows that
   * are no shared text's copy made fit for this database: one opened read-only may be older than
   * V9, and then every text is in its row and no row is a copy.
   */
  private String readable(String sql) {
    return sharedTexts
        ? sql
        : sql.replace("messages_full", "messages").replace(" AND text_id IS NULL", "");
  }

  /**
   * Returns the statement for some SQL, prepared on first use and kept until the store closes.
   * Callers set every parameter and close the result sets they open.
   */
  private PreparedStatement statement(String sql) throws SQLException {
    PreparedStatement ps = statements.get(sql);
    if (ps == null) {
      ps = connection.prepareStatement(readable(sql));
      statements.put(sql, ps);
    }
    return ps;
  }

  @Override
  public void close() {
    closeStatements();
    boolean closed;
    try {
      connection.close();
      closed = true;
    } catch (SQLException e) {
      closed = false; // closing is best effort; every committed write is already on disk
    }
    if (closed && checkedAtMs > 0 && !damaged && !readOnly) {
      try {
        Files.writeString(closedMark(file), Long.toString(checkedAtMs), StandardCharsets.US_ASCII);
      } catch (IOException e) {
        // Without the mark the next open checks the file again; nothing is lost.
      }
    }
  }

  /** Tells the store a call found its file damaged, so its close does not mark a clean one. */
  void damaged() {
    damaged = true;
  }

  private static Path closedMark(Path file) {
    return file.resolveSibling(file.getFileName() + CLOSED_SUFFIX);
  }

  /**
   * Removes the mark of a clean close beside the file, if there is one, and returns the time of the
   * integrity check it holds.
   *
   * @return that time in Unix ms, or 0 if there was no mark or it could not be read or removed
   */
  private static long takeClosedMark(Path file) {
    Path mark = closedMark(file);
    try {
      String text = Files.readString(mark, StandardCharsets.US_ASCII).strip();
      Files.delete(mark);
      return Long.parseLong(text);
    } catch (IOException | NumberFormatException e) {
      try {
        Files.deleteIfExists(mark);
      } catch (IOException ignored) {
        // unreadable and not removable: a check every time, as if it were not there
      }
      return 0;
    }
  }

  private static void closeQuietly(Connection connection) {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException ignored) {
        // Closing is best effort; every committed write is already on disk.
      }
    }
  }

  /**
   * What a failed call throws; a damaged file is remembered, so the close does not mark it clean.
   */
  private StoreException failure(SQLException e) {
    StoreException failure = translate(file, e);
    if (isCorruption(failure)) {
      damaged = true;
    }
    return failure;
  }

  static StoreException translate(Path file, SQLException e) {
    SQLiteErrorCode code = e instanceof SQLiteException s ? s.getResultCode() : null;
    if (code != null) {
      switch (code) {
        case SQLITE_NOTADB:
        case SQLITE_CORRUPT:
        case SQLITE_CORRUPT_INDEX:
        case SQLITE_CORRUPT_SEQUENCE:
        case SQLITE_CORRUPT_VTAB:
          return corrupt(file, code.message, e);
        case SQLITE_FULL:
          return new StoreException(
              "the disk holding the history database "
                  + file
                  + " is full: free some space. Until then no message is stored or acknowledged"
                  + " (senders keep theirs and send them again); Parlance carries on by itself"
                  + " once there is room",
              e);
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
        case SQLITE_BUSY_SNAPSHOT:
        case SQLITE_BUSY_RECOVERY:
          return new StoreException(
              "the history database "
                  + file
                  + " is locked by another program; is another parlance running with the same"
                  + " profile?",
              e);
        case SQLITE_READONLY:
        case SQLITE_CANTOPEN:
        case SQLITE_PERM:
        case SQLITE_IOERR:
          return new StoreException(
              "cannot open or write the history database "
                  + file
                  + " ("
                  + code.message
                  + "): check that the file and its directory are yours and writable",
              e);
        default:
          break;
      }
    }
    return new StoreException("the history database " + file + " failed: " + e.getMessage(), e);
  }
}
