package io.parlance.bootstrap.cluster;

import io.lettuce.core.RedisException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.parlance.bootstrap.mailbox.Mailbox;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The mailbox on the cluster's Redis, shared by every server on it: a deposit made on one server is
 * fetched through another, and the receipt reaches the sender whichever server it registers with.
 * It holds what {@link io.parlance.bootstrap.mailbox.SqliteMailbox} holds (opaque sealed bytes, the
 * ids, the message id, the size and the times) in the keys {@link MailScripts} lists; every change
 * is one Lua script, so the quotas of a recipient hold while several servers deposit for it, and
 * expired mail is swept by whichever server's sweep comes first, from stored deadlines.
 *
 * <p>Its durability is Redis's: with {@code appendonly yes} a deposit that was answered survives a
 * Redis restart (with {@code appendfsync always}, a power cut too). The calls block the mailbox's
 * own thread (never an event loop) up to the cluster's command timeout; while Redis is away they
 * fail, the sender is told to try again, and its message stays in its outbox.
 */
public final class RedisMailbox implements Mailbox {

  private static final byte[][] NO_KEYS = new byte[0][];

  /** Expired messages (and notices) deleted per sweep script. */
  static final int SWEEP_CHUNK = 500;

  /** The most sweep scripts one sweep runs, so one sweep never holds the mailbox thread long. */
  private static final int MAX_SWEEP_ROUNDS = 200;

  private final StatefulRedisConnection<byte[], byte[]> connection;
  private final RedisCommands<byte[], byte[]> redis;
  private final byte[] prefix;
  private final Map<String, String> shas = new ConcurrentHashMap<>();
  private volatile Stats stats = new Stats(0, 0, 0, 0);

  /**
   * Takes over a connection with a byte-array codec.
   *
   * @param connection the connection, closed by {@link #close()}
   * @param prefix the key prefix, e.g. {@code parlance:mail:}
   */
  RedisMailbox(StatefulRedisConnection<byte[], byte[]> connection, String prefix) {
    this.connection = Objects.requireNonNull(connection, "connection");
    this.redis = connection.sync();
    this.prefix = bytes(Objects.requireNonNull(prefix, "prefix"));
    stats = counts(run(MailScripts.COUNTS), 0);
  }

  @Override
  public void publishKey(MailKeyRecord r) {
    List<Object> out =
        run(
            MailScripts.PUBLISH_KEY,
            bytes(r.id()),
            bytes(r.key() + " " + r.mailKey() + " " + r.mailSig()));
    stats = counts(out, 0);
  }

  @Override
  public Optional<MailKeyRecord> mailKey(String id) {
    byte[] v = call(() -> redis.hget(key("keys"), bytes(id)));
    if (v == null) {
      return Optional.empty();
    }
    String[] parts = text(v).split(" ", -1);
    if (parts.length != 3) {
      throw new IllegalStateException("a malformed mail key record in Redis for " + id);
    }
    return Optional.of(new MailKeyRecord(id, parts[0], parts[1], parts[2]));
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
    List<Object> out =
        run(
            MailScripts.DEPOSIT,
            bytes(from),
            bytes(to),
            bytes(msg),
            sealed,
            num(nowMs),
            num(expiresMs),
            num(maxMessages),
            num(maxBytes));
    stats = counts(out, 1);
    String outcome = text(out.get(0));
    return switch (outcome) {
      case "stored" -> Outcome.STORED;
      case "duplicate" -> Outcome.DUPLICATE;
      case "full_count" -> Outcome.FULL_COUNT;
      case "full_bytes" -> Outcome.FULL_BYTES;
      default -> throw new IllegalStateException("unexpected deposit result from Redis");
    };
  }

  @Override
  public Page fetch(
      String recipient, long after, int maxItems, int maxBytes, int maxNotices, long nowMs) {
    List<Object> out =
        run(
            MailScripts.FETCH,
            bytes(recipient),
            num(after),
            num(maxItems),
            num(maxBytes),
            num(maxNotices),
            num(nowMs));
    long next = longOf(out.get(0));
    boolean more = longOf(out.get(1)) != 0;
    int n = (int) longOf(out.get(2));
    List<Item> items = new ArrayList<>(n);
    int i = 3;
    for (int k = 0; k < n; k++, i += 5) {
      items.add(
          new Item(
              longOf(out.get(i)),
              text(out.get(i + 1)),
              text(out.get(i + 2)),
              (byte[]) out.get(i + 3),
              longOf(out.get(i + 4))));
    }
    List<Notice> notices = new ArrayList<>();
    for (; i + 1 < out.size(); i += 2) {
      String f = text(out.get(i));
      String v = text(out.get(i + 1));
      int sp = f.indexOf(' ');
      int vs = v.indexOf(' ');
      notices.add(
          new Notice(
              vs < 0 ? v : v.substring(0, vs),
              f.substring(0, sp),
              f.substring(sp + 1),
              vs < 0 ? null : v.substring(vs + 1)));
    }
    return new Page(items, notices, next, more);
  }

  @Override
  public int ack(String recipient, List<Receipt> receipts, List<Done> done, long noticeExpiresMs) {
    List<byte[]> args = new ArrayList<>(3 + 3 * receipts.size() + 2 * done.size());
    args.add(bytes(recipient));
    args.add(num(noticeExpiresMs));
    args.add(num(receipts.size()));
    for (Receipt r : receipts) {
      args.add(bytes(r.from()));
      args.add(bytes(r.msg()));
      args.add(bytes(r.sig() == null ? "" : r.sig()));
    }
    for (Done d : done) {
      args.add(bytes(d.to()));
      args.add(bytes(d.msg()));
    }
    List<Object> out = run(MailScripts.ACK, args.toArray(new byte[0][]));
    stats = counts(out, 1);
    return (int) longOf(out.get(0));
  }

  @Override
  public int sweep(long nowMs, long noticeExpiresMs) {
    int expired = 0;
    for (int round = 0; round < MAX_SWEEP_ROUNDS; round++) {
      List<Object> out = run(MailScripts.SWEEP, num(nowMs), num(noticeExpiresMs), num(SWEEP_CHUNK));
      stats = counts(out, 3);
      expired += (int) longOf(out.get(0));
      if (longOf(out.get(1)) < SWEEP_CHUNK && longOf(out.get(2)) < SWEEP_CHUNK) {
        break;
      }
    }
    return expired;
  }

  /**
   * Returns the counts of the whole cluster's mailbox, as of this server's last call (the sweep
   * reads them again, so other servers' deposits show within a sweep interval).
   */
  @Override
  public Stats stats() {
    return stats;
  }

  @Override
  public void close() {
    connection.close();
  }

  // ---- Redis -----------------------------------------------------------------------------------

  private interface Call<T> {
    T run();
  }

  private static <T> T call(Call<T> call) {
    try {
      return call.run();
    } catch (RedisException e) {
      throw new IllegalStateException(
          "the mailbox on Redis failed: " + RedisCluster.rootMessage(e), e);
    }
  }

  /**
   * Runs a script by its digest (the prefix its first argument), sending it when Redis lacks it.
   */
  private List<Object> run(String script, byte[]... args) {
    byte[][] all = new byte[args.length + 1][];
    all[0] = prefix;
    System.arraycopy(args, 0, all, 1, args.length);
    String sha = shas.computeIfAbsent(script, RedisMailbox::sha1);
    return call(
        () -> {
          try {
            return redis.<List<Object>>evalsha(sha, ScriptOutputType.MULTI, NO_KEYS, all);
          } catch (RedisNoScriptException e) {
            return redis.<List<Object>>eval(script, ScriptOutputType.MULTI, NO_KEYS, all);
          } catch (RedisException e) {
            if (String.valueOf(e.getMessage()).startsWith("NOSCRIPT")) {
              return redis.<List<Object>>eval(script, ScriptOutputType.MULTI, NO_KEYS, all);
            }
            throw e;
          }
        });
  }

  private static Stats counts(List<Object> out, int from) {
    return new Stats(
        longOf(out.get(from)),
        longOf(out.get(from + 1)),
        longOf(out.get(from + 2)),
        longOf(out.get(from + 3)));
  }

  private byte[] key(String name) {
    byte[] n = bytes(name);
    byte[] k = new byte[prefix.length + n.length];
    System.arraycopy(prefix, 0, k, 0, prefix.length);
    System.arraycopy(n, 0, k, prefix.length, n.length);
    return k;
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] num(long n) {
    return bytes(Long.toString(n));
  }

  private static String text(Object o) {
    return o instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(o);
  }

  private static long longOf(Object o) {
    if (o instanceof Number n) {
      return n.longValue();
    }
    try {
      return Long.parseLong(text(o));
    } catch (NumberFormatException e) {
      throw new IllegalStateException("a malformed number from the mailbox on Redis", e);
    }
  }

  private static String sha1(String script) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-1").digest(script.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("no SHA-1 in this JVM", e);
    }
  }
}
