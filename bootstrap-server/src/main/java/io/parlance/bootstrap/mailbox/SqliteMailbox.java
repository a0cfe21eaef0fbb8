package io.parlance.bootstrap.mailbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The embedded mailbox: one SQLite file (WAL journal, {@code synchronous=FULL}), so a deposit that
 * was answered survives a restart, a {@code kill -9} and a power cut. It holds the sealed bytes,
 * the ids of sender and recipient, the message id, the size and the times; never text it could
 * read.
 *
 * <p>SQLite was chosen over an append-only file because deletes (acknowledged and expired mail) and
 * per-recipient quotas need indexes, which SQLite gives with one small, well-kept driver (xerial)
 * that the client already uses; it needs no service beside the server. Not thread-safe: one thread
 * makes every call.
 */
public final class SqliteMailbox implements Mailbox {

  private static final String[] SCHEMA = {
    "CREATE TABLE IF NOT EXISTS mail ("
        + " seq INTEGER PRIMARY KEY AUTOINCREMENT,"
        + " recipient TEXT NOT NULL, sender TEXT NOT NULL, msg TEXT NOT NULL,"
        + " sealed BLOB NOT NULL, size INTEGER NOT NULL,"
        + " deposited_ms INTEGER NOT NULL, expires_ms INTEGER NOT NULL,"
        + " UNIQUE (recipient, sender, msg))",
    "CREATE INDEX IF NOT EXISTS mail_by_expiry ON mail (expires_ms)",
    "CREATE TABLE IF NOT EXISTS notices ("
        + " seq INTEGER PRIMARY KEY AUTOINCREMENT,"
        + " sender TEXT NOT NULL, recipient TEXT NOT NULL, msg TEXT NOT NULL,"
        + " kind TEXT NOT NULL CHECK (kind IN ('delivered', 'expired')), sig TEXT,"
        + " expires_ms INTEGER NOT NULL,"
        + " UNIQUE (sender, recipient, msg))",
    "CREATE INDEX IF NOT EXISTS notices_by_expiry ON notices (expires_ms)",
    "CREATE TABLE IF NOT EXISTS mail_keys ("
        + " id TEXT PRIMARY KEY, key TEXT NOT NULL, mail_key TEXT NOT NULL,"
        + " mail_sig TEXT NOT NULL)",
    "PRAGMA user_version = 1"
  };

  private final Connection db;
  private long messages;
  private long bytes;
  private long notices;
  private long keys;

  private SqliteMailbox(Connection db) throws SQLException {
    this.db = db;
    try (Statement s = db.createStatement()) {
      s.execute("PRAGMA journal_mode = WAL");
      s.execute("PRAGMA synchronous = FULL");
      s.execute("PRAGMA busy_timeout = 5000");
      for (String sql : SCHEMA) {
        s.execute(sql);
      }
    }
    recountMail();
    recountNotices();
    recountKeys();
    db.setAutoCommit(false);
  }

  /**
   * Opens (creating if needed) the mailbox at a file.
   *
   * @param file the database file; its directory is created, owner-only
   * @return the open mailbox
   * @throws UncheckedIOException if the file cannot be opened, saying which
   */
  public static SqliteMailbox open(Path file) {
    try {
      Path dir = file.toAbsolutePath().getParent();
      if (dir != null) {
        Files.createDirectories(dir);
      }
      return new SqliteMailbox(DriverManager.getConnection("jdbc:sqlite:" + file));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the mailbox directory for " + file, e);
    } catch (SQLException e) {
      throw new UncheckedIOException(
          new IOException("cannot open the mailbox " + file + ": " + e.getMessage(), e));
    }
  }

  /**
   * Opens a mailbox that lives in memory only, for tests.
   *
   * @return the open mailbox
   */
  public static SqliteMailbox inMemory() {
    try {
      return new SqliteMailbox(DriverManager.getConnection("jdbc:sqlite::memory:"));
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void publishKey(MailKeyRecord r) {
    run(
        () -> {
          try (PreparedStatement ps =
              db.prepareStatement(
                  "INSERT INTO mail_keys (id, key, mail_key, mail_sig) VALUES (?, ?, ?, ?)"
                      + " ON CONFLICT (id) DO UPDATE SET key = excluded.key,"
                      + " mail_key = excluded.mail_key, mail_sig = excluded.mail_sig")) {
            ps.setString(1, r.id());
            ps.setString(2, r.key());
            ps.setString(3, r.mailKey());
            ps.setString(4, r.mailSig());
            ps.executeUpdate();
          }
          recountKeys();
          return null;
        });
  }

  @Override
  public Optional<MailKeyRecord> mailKey(String id) {
    return run(
        () -> {
          try (PreparedStatement ps =
              db.prepareStatement("SELECT key, mail_key, mail_sig FROM mail_keys WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
              return rs.next()
                  ? Optional.of(
                      new MailKeyRecord(id, rs.getString(1), rs.getString(2), rs.getString(3)))
                  : Optional.empty();
            }
          }
        });
  }

  @Override
  public Outcome deposit(
      String from,
      String to,
      String msg,
      byte[] sealed,
      long nowMs,
      long expiresMs,
      int maxMessages,
      long maxBytes) {
    return run(
        () -> {
          try (PreparedStatement dup =
              db.prepareStatement(
                  "SELECT 1 FROM mail WHERE recipient = ? AND sender = ? AND msg = ?")) {
            dup.setString(1, to);
            dup.setString(2, from);
            dup.setString(3, msg);
            try (ResultSet rs = dup.executeQuery()) {
              if (rs.next()) {
                return Outcome.DUPLICATE;
              }
            }
          }
          try (PreparedStatement q =
              db.prepareStatement(
                  "SELECT COUNT(*), COALESCE(SUM(size), 0) FROM mail WHERE recipient = ?")) {
            q.setString(1, to);
            try (ResultSet rs = q.executeQuery()) {
              rs.next();
              if (rs.getLong(1) >= maxMessages) {
                return Outcome.FULL_COUNT;
              }
              if (rs.getLong(2) + sealed.length > maxBytes) {
                return Outcome.FULL_BYTES;
              }
            }
          }
          try (PreparedStatement ps =
              db.prepareStatement(
                  "INSERT INTO mail (recipient, sender, msg, sealed, size, deposited_ms,"
                      + " expires_ms) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, to);
            ps.setString(2, from);
            ps.setString(3, msg);
            ps.setBytes(4, sealed);
            ps.setInt(5, sealed.length);
            ps.setLong(6, nowMs);
            ps.setLong(7, expiresMs);
            ps.executeUpdate();
          }
          messages++;
          bytes += sealed.length;
          return Outcome.STORED;
        });
  }

  @Override
  public Page fetch(
      String recipient, long after, int maxItems, int maxBytes, int maxNotices, long nowMs) {
    return run(
        () -> {
          List<Item> items = new ArrayList<>();
          long next = after;
          boolean more = false;
          int total = 0;
          try (PreparedStatement ps =
              db.prepareStatement(
                  "SELECT seq, sender, msg, sealed, deposited_ms FROM mail"
                      + " WHERE recipient = ? AND seq > ? AND expires_ms > ? ORDER BY seq LIMIT ?")) {
            ps.setString(1, recipient);
            ps.setLong(2, after);
            ps.setLong(3, nowMs);
            ps.setInt(4, maxItems + 1);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                byte[] sealed = rs.getBytes(4);
                if (items.size() == maxItems
                    || !items.isEmpty() && total + sealed.length > maxBytes) {
                  more = true;
                  break;
                }
                total += sealed.length;
                long seq = rs.getLong(1);
                items.add(new Item(seq, rs.getString(2), rs.getString(3), sealed, rs.getLong(5)));
                next = seq;
              }
            }
          }
          List<Notice> found = new ArrayList<>();
          try (PreparedStatement ps =
              db.prepareStatement(
                  "SELECT kind, recipient, msg, sig FROM notices WHERE sender = ?"
                      + " ORDER BY seq LIMIT ?")) {
            ps.setString(1, recipient);
            ps.setInt(2, maxNotices);
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                found.add(
                    new Notice(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)));
              }
            }
          }
          return new Page(items, found, next, more);
        });
  }

  @Override
  public int ack(String recipient, List<Receipt> receipts, List<Done> done, long noticeExpiresMs) {
    return run(
        () -> {
          int deleted = 0;
          for (Receipt r : receipts) {
            long size;
            try (PreparedStatement ps =
                db.prepareStatement(
                    "DELETE FROM mail WHERE recipient = ? AND sender = ? AND msg = ?"
                        + " RETURNING size")) {
              ps.setString(1, recipient);
              ps.setString(2, r.from());
              ps.setString(3, r.msg());
              try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                  continue;
                }
                size = rs.getLong(1);
              }
            }
            messages--;
            bytes -= size;
            deleted++;
            notice(r.from(), recipient, r.msg(), "delivered", r.sig(), noticeExpiresMs);
          }
          for (Done d : done) {
            try (PreparedStatement ps =
                db.prepareStatement(
                    "DELETE FROM notices WHERE sender = ? AND recipient = ? AND msg = ?")) {
              ps.setString(1, recipient);
              ps.setString(2, d.to());
              ps.setString(3, d.msg());
              deleted += ps.executeUpdate();
            }
          }
          recountNotices();
          return deleted;
        });
  }

  private void notice(
      String sender, String recipient, String msg, String kind, String sig, long expiresMs)
      throws SQLException {
    try (PreparedStatement ps =
        db.prepareStatement(
            "INSERT INTO notices (sender, recipient, msg, kind, sig, expires_ms)"
                + " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (sender, recipient, msg) DO UPDATE"
                + " SET kind = excluded.kind, sig = excluded.sig, expires_ms = excluded.expires_ms")) {
      ps.setString(1, sender);
      ps.setString(2, recipient);
      ps.setString(3, msg);
      ps.setString(4, kind);
      ps.setString(5, sig);
      ps.setLong(6, expiresMs);
      ps.executeUpdate();
    }
  }

  @Override
  public int sweep(long nowMs, long noticeExpiresMs) {
    return run(
        () -> {
          int expired = 0;
          try (PreparedStatement ps =
              db.prepareStatement(
                  "DELETE FROM mail WHERE expires_ms <= ? RETURNING sender, recipient, msg")) {
            ps.setLong(1, nowMs);
            List<String[]> gone = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
              while (rs.next()) {
                gone.add(new String[] {rs.getString(1), rs.getString(2), rs.getString(3)});
              }
            }
            for (String[] g : gone) {
              notice(g[0], g[1], g[2], "expired", null, noticeExpiresMs);
              expired++;
            }
          }
          try (PreparedStatement ps =
              db.prepareStatement("DELETE FROM notices WHERE expires_ms <= ?")) {
            ps.setLong(1, nowMs);
            ps.executeUpdate();
          }
          recountMail();
          recountNotices();
          return expired;
        });
  }

  @Override
  public Stats stats() {
    return new Stats(messages, bytes, notices, keys);
  }

  @Override
  public void close() {
    try {
      db.close();
    } catch (SQLException e) {
      throw new IllegalStateException("cannot close the mailbox: " + e.getMessage(), e);
    }
  }

  private interface Work<T> {
    T run() throws SQLException;
  }

  /** Runs one call as one transaction; counters are read again if it fails. */
  private <T> T run(Work<T> work) {
    try {
      T result = work.run();
      db.commit();
      return result;
    } catch (SQLException e) {
      try {
        db.rollback();
        recount();
      } catch (SQLException ignored) {
        // The first failure is the one to report.
        e.addSuppressed(ignored);
      }
      throw new IllegalStateException("mailbox store failed: " + e.getMessage(), e);
    }
  }

  private void recountNotices() throws SQLException {
    try (Statement s = db.createStatement();
        ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM notices")) {
      rs.next();
      notices = rs.getLong(1);
    }
  }

  private void recountKeys() throws SQLException {
    try (Statement s = db.createStatement();
        ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM mail_keys")) {
      rs.next();
      keys = rs.getLong(1);
    }
  }

  private void recountMail() throws SQLException {
    try (Statement s = db.createStatement();
        ResultSet rs = s.executeQuery("SELECT COUNT(*), COALESCE(SUM(size), 0) FROM mail")) {
      rs.next();
      messages = rs.getLong(1);
      bytes = rs.getLong(2);
    }
  }

  private void recount() throws SQLException {
    recountMail();
    recountNotices();
    db.commit();
  }
}
