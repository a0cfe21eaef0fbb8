package io.parlance.bootstrap;

import io.parlance.bootstrap.cluster.ClusterOptions;
import io.parlance.bootstrap.mailbox.MailboxConfig;
import io.parlance.bootstrap.mailbox.SqliteMailbox;
import io.parlance.protocol.bootstrap.MailClientFrame;
import io.parlance.protocol.bootstrap.MailFields;
import io.parlance.protocol.bootstrap.MailServerFrame;
import io.parlance.protocol.bootstrap.ServerFrame;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Measures the mailbox's stores side by side for docs/PERFORMANCE.md (not a test: it prints numbers
 * and asserts none): the embedded SQLite file against Redis (append-only, fsync every second and at
 * every write), one server, deposits over a real WebSocket. Run: {@code mvn -pl bootstrap-server
 * -am verify -DskipITs -Dtest=MailboxStoreMeasure -Dsurefire.failIfNoSpecifiedTests=false
 * -Dparlance.measure=true}.
 */
@EnabledIfSystemProperty(named = "parlance.measure", matches = "true")
class MailboxStoreMeasure {

  private static final int COUNT = Integer.getInteger("parlance.measure.count", 1000);
  private static final int ROUNDS = Integer.getInteger("parlance.measure.rounds", 3);

  /** The sealed size of a 77-character chat message (see docs/PERFORMANCE.md). */
  private static final int SEALED = 560;

  private static final SecureRandom RANDOM = new SecureRandom();

  @TempDir Path dir;

  @Test
  void depositsAndFetchOnEachStore() throws Exception {
    List<String> lines = new ArrayList<>();
    for (int round = 1; round <= ROUNDS; round++) {
      for (String store : List.of("sqlite", "redis-everysec", "redis-always")) {
        lines.add("round " + round + " " + store + ": " + measure(store, round));
      }
    }
    lines.forEach(l -> System.out.println("MAILBOX-STORE " + l));
  }

  private String measure(String store, int round) throws Exception {
    RedisServer redis = null;
    BootstrapServer server = null;
    List<WsTestClient> clients = new ArrayList<>();
    try {
      Path file = dir.resolve(store + "-" + round + ".db");
      BootstrapServerConfig.Builder b =
          BootstrapServerConfig.builder()
              .host("127.0.0.1")
              .port(0)
              .frameRate(100_000, 100_000)
              .registrationRatePerIp(1000, 1000)
              .mailbox(
                  MailboxConfig.defaults(() -> SqliteMailbox.open(file))
                      .withQuota(100_000, 1L << 32)
                      .withSenderRate(100_000, 100_000));
      if (!store.equals("sqlite")) {
        redis = RedisServer.startDurable();
        if (store.equals("redis-everysec")) {
          redis.command("CONFIG SET appendfsync everysec");
        }
        b.cluster(ClusterOptions.defaults(redis.uri(), "m", Duration.ofMinutes(10)));
      }
      server = BootstrapServer.start(b.build());
      URI uri = URI.create("ws://127.0.0.1:" + server.port() + "/");
      TestKeys alice = TestKeys.generate();
      TestKeys bob = TestKeys.generate();
      TestKeys dave = TestKeys.generate();
      String bobKey = publish(clients, uri, bob, "bob");
      String daveKey = publish(clients, uri, dave, "dave");
      long memBefore = redis == null ? 0 : usedMemory(redis);
      WsTestClient a = connect(clients, uri, alice, "alice");

      // One deposit in flight at a time, as a client's courier makes them.
      long t0 = System.nanoTime();
      for (int i = 0; i < COUNT; i++) {
        a.send(new MailClientFrame.Deposit(alice.id(), bob.id(), bobKey, "m" + i, sealed(), "d"));
        a.await(MailServerFrame.Deposited.class);
      }
      double oneAtATime = COUNT / ((System.nanoTime() - t0) / 1e9);
      long memAfter = redis == null ? 0 : usedMemory(redis);

      // All sent before any answer is read (the server queues them for its store thread).
      long t1 = System.nanoTime();
      for (int i = 0; i < COUNT; i++) {
        a.send(new MailClientFrame.Deposit(alice.id(), dave.id(), daveKey, "p" + i, sealed(), "d"));
      }
      for (int i = 0; i < COUNT; i++) {
        a.await(MailServerFrame.Deposited.class);
      }
      double pipelined = COUNT / ((System.nanoTime() - t1) / 1e9);

      // Bob fetches his waiting messages in pages of 200, then acknowledges them.
      WsTestClient bc = connect(clients, uri, bob, "bob");
      long t2 = System.nanoTime();
      List<MailServerFrame.Item> items = new ArrayList<>();
      long after = 0;
      boolean more = true;
      while (more) {
        bc.send(new MailClientFrame.Fetch(after, 200, "f"));
        MailServerFrame.Mail page = bc.await(MailServerFrame.Mail.class);
        items.addAll(page.items());
        after = page.next();
        more = page.more();
      }
      double fetchMs = (System.nanoTime() - t2) / 1e6;
      long t3 = System.nanoTime();
      for (int from = 0; from < items.size(); from += MailFields.MAX_ACKS) {
        List<MailClientFrame.Receipt> receipts = new ArrayList<>();
        for (MailServerFrame.Item i :
            items.subList(from, Math.min(items.size(), from + MailFields.MAX_ACKS))) {
          receipts.add(
              new MailClientFrame.Receipt(
                  i.from(),
                  i.msg(),
                  bob.sign(MailFields.receiptPayload(i.from(), bob.id(), i.msg()))));
        }
        bc.send(new MailClientFrame.Ack(receipts, null, "a"));
        bc.await(MailServerFrame.Acked.class);
      }
      double ackMs = (System.nanoTime() - t3) / 1e6;
      return String.format(
          "%.0f deposits/s one at a time, %.0f/s pipelined; fetch of %d waiting: %.0f ms; their"
              + " acks: %.0f ms%s",
          oneAtATime,
          pipelined,
          items.size(),
          fetchMs,
          ackMs,
          redis == null
              ? ""
              : String.format(
                  "; Redis memory %d B per message (sealed %d B)",
                  (memAfter - memBefore) / COUNT, SEALED));
    } finally {
      clients.forEach(WsTestClient::close);
      if (server != null) {
        server.stop();
      }
      if (redis != null) {
        redis.close();
      }
    }
  }

  private static String sealed() {
    byte[] b = new byte[SEALED];
    RANDOM.nextBytes(b);
    return Base64.getEncoder().encodeToString(b);
  }

  private static WsTestClient connect(
      List<WsTestClient> clients, URI uri, TestKeys keys, String nickname) throws Exception {
    WsTestClient c = WsTestClient.connect(uri);
    clients.add(c);
    ServerFrame.Challenge challenge = c.await(ServerFrame.Challenge.class);
    c.send(keys.register(nickname, 4000, challenge.nonce()));
    c.await(ServerFrame.Registered.class);
    return c;
  }

  private static String publish(List<WsTestClient> clients, URI uri, TestKeys keys, String nick)
      throws Exception {
    WsTestClient c = connect(clients, uri, keys, nick);
    byte[] k = new byte[32];
    RANDOM.nextBytes(k);
    String key = Base64.getEncoder().encodeToString(k);
    c.send(
        new MailClientFrame.KeyPublish(
            key, keys.sign(MailFields.mailKeyPayload(keys.id(), key)), "pub"));
    c.await(MailServerFrame.MailKey.class);
    c.close();
    return key;
  }

  private static long usedMemory(RedisServer redis) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(
                "redis-cli",
                "-h",
                "127.0.0.1",
                "-p",
                Integer.toString(redis.port()),
                "info",
                "memory")
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor();
    for (String line : out.split("\r?\n")) {
      if (line.startsWith("used_memory:")) {
        return Long.parseLong(line.substring("used_memory:".length()).trim());
      }
    }
    throw new IOException("no used_memory in redis-cli info memory: " + out);
  }
}
