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
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.function.LongSupplier;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * The SQLite database of one profile: every message sent and received, with its delivery state.
 * Outgoing messages that are not yet delivered form the outbox.
 *
 * <p>Writes are durable when a method returns (WAL journal, {@code synchronous=FULL}), so a crash
 * loses nothing that was stored. The schema is versioned ({@code PRAGMA user_version}) and migrated
 * on open. Not thread-safe: one thread owns an instance ({@link AsyncMessageStore} gives it one),
 * which keeps disk work off the event loops.
 */
public final class MessageStore implements AutoCloseable {

  /** The migrations, in order; the schema version is the number applied. */
  private static final List<String> MIGRATIONS = List.of("V1__messages.sql");

  private final Path file;
  private final Connection connection;
  private final LongSupplier clock;

  private MessageStore(Path file, Connection connection, LongSupplier clock) {
    this.file = file;
    this.connection = connection;
    this.clock = clock;
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
      connection = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
      MessageStore store = new MessageStore(file, connection, clock);
      store.configure(busyTimeoutMillis);
      store.migrate();
      return store;
    } catch (SQLException e) {
      closeQuietly(connection);
      throw translate(file, e);
    }
  }

  private void configure(int busyTimeoutMillis) throws SQLException {
    try (Statement s = connection.createStatement()) {
      s.execute("PRAGMA busy_timeout = " + busyTimeoutMillis);
      try (ResultSet rs = s.executeQuery("PRAGMA journal_mode = WAL")) {
        rs.next();
      }
      s.execute("PRAGMA synchronous = FULL");
      s.execute("PRAGMA foreign_keys = ON");
    }
  }

  private void migrate() throws SQLException {
    int version;
    try (Statement s = connection.createStatement();
        ResultSet rs = s.executeQuery("PRAGMA user_version")) {
      version = rs.next() ? rs.getInt(1) : 0;
    }
    if (version > MIGRATIONS.size()) {
      throw new StoreException(
          "the history database "
              + file
              + " has schema version "
              + version
              + ", newer than this Parlance understands ("
              + MIGRATIONS.size()
              + "): upgrade Parlance, or use another profile");
    }
    for (int v = version; v < MIGRATIONS.size(); v++) {
      String script = readMigration(MIGRATIONS.get(v));
      connection.setAutoCommit(false);
      try (Statement s = connection.createStatement()) {
        for (String statement : statements(script)) {
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
      throw translate(file, e);
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
    String id = UUID.randomUUID().toString();
    long seq = insert(id, Direction.OUT, peer, nickname, content, timestamp, DeliveryState.QUEUED);
    return new StoredMessage(
        seq, id, Direction.OUT, peer, nickname, content, timestamp, DeliveryState.QUEUED, 0);
  }

  /**
   * Stores a received message unless one with the same id from the same peer is already stored.
   *
   * @param id the message id
   * @param peer the key of the sender
   * @param nickname the sender's nickname
   * @param content the text
   * @param timestamp the sender's clock, Unix seconds
   * @return true if it was new, false if it was a duplicate
   */
  public boolean receive(String id, String peer, String nickname, String content, long timestamp) {
    return insert(id, Direction.IN, peer, nickname, content, timestamp, DeliveryState.RECEIVED) > 0;
  }

  private long insert(
      String id,
      Direction direction,
      String peer,
      String nickname,
      String content,
      long timestamp,
      DeliveryState state) {
    long now = clock.getAsLong();
    String sql =
        "INSERT OR IGNORE INTO messages"
            + " (id, direction, peer, nickname, content, timestamp, state, created_ms, updated_ms)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
    try (PreparedStatement ps = connection.prepareStatement(sql, Statement.RETURN_GENERATED_KEYS)) {
      ps.setString(1, id);
      ps.setString(2, direction.column());
      ps.setString(3, peer);
      ps.setString(4, nickname);
      ps.setString(5, content);
      ps.setLong(6, timestamp);
      ps.setString(7, state.column());
      ps.setLong(8, now);
      ps.setLong(9, now);
      if (ps.executeUpdate() == 0) {
        return -1;
      }
      try (ResultSet keys = ps.getGeneratedKeys()) {
        return keys.next() ? keys.getLong(1) : -1;
      }
    } catch (SQLException e) {
      throw translate(file, e);
    }
  }

  /**
   * Records that an outgoing message was written to the peer once more.
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
   * Records that the peer acknowledged an outgoing message: it leaves the outbox.
   *
   * @param peer the recipient's key
   * @param id the message id
   * @return true if the message was in the outbox
   */
  public boolean markDelivered(String peer, String id) {
    return update(
            "UPDATE messages SET state = 'delivered', updated_ms = ?"
                + " WHERE direction = 'out' AND peer = ? AND id = ? AND state != 'delivered'",
            peer,
            id)
        > 0;
  }

  private int update(String sql, String peer, String id) {
    try (PreparedStatement ps = connection.prepareStatement(sql)) {
      ps.setLong(1, clock.getAsLong());
      ps.setString(2, peer);
      ps.setString(3, id);
      return ps.executeUpdate();
    } catch (SQLException e) {
      throw translate(file, e);
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
    return query(
        "SELECT * FROM messages WHERE direction = 'out' AND state != 'delivered' AND peer = ?"
            + " ORDER BY seq LIMIT ?",
        peer,
        limit);
  }

  /**
   * Returns the keys of the peers that have messages waiting in the outbox.
   *
   * @return the peer keys
   */
  public List<String> outboxPeers() {
    List<String> peers = new ArrayList<>();
    try (PreparedStatement ps =
            connection.prepareStatement(
                "SELECT DISTINCT peer FROM messages"
                    + " WHERE direction = 'out' AND state != 'delivered'");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        peers.add(rs.getString(1));
      }
      return peers;
    } catch (SQLException e) {
      throw translate(file, e);
    }
  }

  /**
   * Returns the last messages of a conversation, oldest first.
   *
   * @param peerOrNickname a peer key, or a nickname (all conversations under that nickname)
   * @param limit how many of the most recent messages
   * @return the messages in the order they were sent or received
   */
  public List<StoredMessage> history(String peerOrNickname, int limit) {
    List<StoredMessage> newestFirst =
        query(
            "SELECT * FROM messages WHERE peer = ?1 OR nickname = ?1 ORDER BY seq DESC LIMIT ?2",
            peerOrNickname,
            limit);
    Collections.reverse(newestFirst);
    return newestFirst;
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
    return query(
        "SELECT m.* FROM messages_fts f JOIN messages m ON m.seq = f.rowid"
            + " WHERE messages_fts MATCH ? ORDER BY m.seq DESC LIMIT ?",
        match,
        limit);
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
    try (PreparedStatement ps = connection.prepareStatement(sql)) {
      ps.setString(1, key);
      ps.setInt(2, Math.max(0, limit));
      try (ResultSet rs = ps.executeQuery()) {
        List<StoredMessage> out = new ArrayList<>();
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
                  DeliveryState.fromColumn(rs.getString("state")),
                  rs.getInt("attempts")));
        }
        return out;
      }
    } catch (SQLException e) {
      throw translate(file, e);
    }
  }

  @Override
  public void close() {
    closeQuietly(connection);
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

  static StoreException translate(Path file, SQLException e) {
    SQLiteErrorCode code = e instanceof SQLiteException s ? s.getResultCode() : null;
    if (code != null) {
      switch (code) {
        case SQLITE_NOTADB:
        case SQLITE_CORRUPT:
        case SQLITE_CORRUPT_INDEX:
        case SQLITE_CORRUPT_SEQUENCE:
        case SQLITE_CORRUPT_VTAB:
          return new StoreException(
              "the history database "
                  + file
                  + " is corrupt ("
                  + code.message
                  + "). Nothing was changed: move the file away (your outbox is in it, so keep"
                  + " a copy) and start again, or use another profile",
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
