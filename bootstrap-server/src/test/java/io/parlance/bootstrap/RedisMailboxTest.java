package io.parlance.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.parlance.bootstrap.cluster.ClusterOptions;
import io.parlance.bootstrap.mailbox.MailboxConfig;
import io.parlance.bootstrap.mailbox.SqliteMailbox;
import io.parlance.protocol.bootstrap.ErrorCode;
import io.parlance.protocol.bootstrap.MailClientFrame;
import io.parlance.protocol.bootstrap.MailFields;
import io.parlance.protocol.bootstrap.MailServerFrame;
import io.parlance.protocol.bootstrap.ServerFrame;
import io.parlance.protocol.identity.Signatures;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mailbox shared by two bootstrap servers on a real {@code redis-server}: a deposit on one is
 * fetched through the other and its receipt reaches the sender on either; the quotas of one
 * recipient hold while both servers deposit for it; mail expires on whichever server sweeps; a
 * durable Redis keeps waiting mail across its restart; and its files hold opaque bytes only.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RedisMailboxTest {

  private static final SecureRandom RANDOM = new SecureRandom();

  @TempDir Path dir;

  private final TestKeys alice = TestKeys.generate();
  private final TestKeys bob = TestKeys.generate();
  private final TestKeys carol = TestKeys.generate();
  private final List<WsTestClient> clients = new ArrayList<>();
  private final List<BootstrapServer> servers = new ArrayList<>();
  private RedisServer redis;

  @AfterEach
  void stopAll() throws Exception {
    clients.forEach(WsTestClient::close);
    servers.forEach(BootstrapServer::stop);
    if (redis != null) {
      redis.close();
    }
  }

  private BootstrapServer server(String id, UnaryOperator<MailboxConfig> mailbox) throws Exception {
    Path unused = dir.resolve(id + "-mailbox.db");
    BootstrapServer s =
        BootstrapServer.start(
            BootstrapServerConfig.builder()
                .host("127.0.0.1")
                .port(0)
                .registrationRatePerIp(1000, 1000)
                .frameRate(1000, 1000)
                .maxConnectionsPerIp(1000)
                .mailbox(
                    mailbox.apply(
                        MailboxConfig.defaults(() -> SqliteMailbox.open(unused))
                            .withSenderRate(1000, 1000)))
                .cluster(
                    ClusterOptions.defaults(redis.uri(), id, Duration.ofMinutes(10))
                        .withTimes(Duration.ofMillis(200), Duration.ofSeconds(1)))
                .build());
    servers.add(s);
    return s;
  }

  private WsTestClient connect(BootstrapServer s, TestKeys keys, String nickname) throws Exception {
    WsTestClient c = WsTestClient.connect(URI.create("ws://127.0.0.1:" + s.port() + "/"));
    clients.add(c);
    ServerFrame.Challenge challenge = c.await(ServerFrame.Challenge.class);
    c.send(keys.register(nickname, 4000, challenge.nonce()));
    c.await(ServerFrame.Registered.class);
    return c;
  }

  private static String mailKey() {
    byte[] k = new byte[32];
    RANDOM.nextBytes(k);
    return Base64.getEncoder().encodeToString(k);
  }

  private static String sealed(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return Base64.getEncoder().encodeToString(b);
  }

  /** Publishes a mail key on a server and leaves; returns the key. */
  private String publishAndLeave(BootstrapServer s, TestKeys keys, String nickname)
      throws Exception {
    WsTestClient c = connect(s, keys, nickname);
    String key = mailKey();
    c.send(
        new MailClientFrame.KeyPublish(
            key, keys.sign(MailFields.mailKeyPayload(keys.id(), key)), "pub"));
    assertThat(c.await(MailServerFrame.MailKey.class).mailKey()).isEqualTo(key);
    c.close();
    return key;
  }

  /** The next answer to a deposit: Deposited or an error, skipping peer events. */
  private static ServerFrame depositAnswer(WsTestClient c) throws Exception {
    while (true) {
      ServerFrame f = c.await(ServerFrame.class);
      if (f instanceof MailServerFrame.Deposited || f instanceof ServerFrame.Error) {
        return f;
      }
    }
  }

  private static List<MailClientFrame.Receipt> receipts(
      TestKeys recipient, List<MailServerFrame.Item> items) {
    List<MailClientFrame.Receipt> out = new ArrayList<>();
    for (MailServerFrame.Item i : items) {
      out.add(
          new MailClientFrame.Receipt(
              i.from(),
              i.msg(),
              recipient.sign(MailFields.receiptPayload(i.from(), recipient.id(), i.msg()))));
    }
    return out;
  }

  @Test
  void mailDepositedOnOneServerIsFetchedOnAnotherAndItsReceiptReachesTheSenderOnEither()
      throws Exception {
    redis = RedisServer.start();
    BootstrapServer a = server("a", c -> c);
    BootstrapServer b = server("b", c -> c);
    String bobKey = publishAndLeave(b, bob, "bob");

    WsTestClient aliceOnA = connect(a, alice, "alice");
    aliceOnA.send(new MailClientFrame.KeyLookup(bob.id(), "k"));
    MailServerFrame.MailKey found = aliceOnA.await(MailServerFrame.MailKey.class);
    assertThat(found.mailKey()).isEqualTo(bobKey);
    assertThat(MailFields.mailKeyProblem(bob.id(), found.key(), found.mailKey(), found.mailSig()))
        .isEmpty();
    List<String> bodies = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      bodies.add(sealed(200 + i));
      aliceOnA.send(
          new MailClientFrame.Deposit(
              alice.id(), bob.id(), bobKey, "m-" + i, bodies.get(i), "d" + i));
      assertThat(aliceOnA.await(MailServerFrame.Deposited.class).msg()).isEqualTo("m-" + i);
    }
    aliceOnA.close();

    WsTestClient bobOnB = connect(b, bob, "bob");
    bobOnB.send(new MailClientFrame.Fetch(null, null, "f"));
    MailServerFrame.Mail mail = bobOnB.await(MailServerFrame.Mail.class);
    assertThat(mail.items())
        .extracting(MailServerFrame.Item::msg)
        .containsExactly("m-0", "m-1", "m-2");
    assertThat(mail.items())
        .extracting(MailServerFrame.Item::sealed)
        .containsExactlyElementsOf(bodies);
    bobOnB.send(new MailClientFrame.Ack(receipts(bob, mail.items()), null, "a"));
    assertThat(bobOnB.await(MailServerFrame.Acked.class).deleted()).isEqualTo(3);

    // Alice comes back on the other server than the one she deposited on, and on the first.
    for (BootstrapServer s : List.of(b, a)) {
      WsTestClient back = connect(s, alice, "alice");
      back.send(new MailClientFrame.Fetch(null, null, "f"));
      MailServerFrame.Mail forAlice = back.await(MailServerFrame.Mail.class);
      assertThat(forAlice.items()).isEmpty();
      assertThat(forAlice.notices())
          .extracting(
              MailServerFrame.Notice::kind, MailServerFrame.Notice::to, MailServerFrame.Notice::msg)
          .containsExactly(
              Tuple.tuple("delivered", bob.id(), "m-0"),
              Tuple.tuple("delivered", bob.id(), "m-1"),
              Tuple.tuple("delivered", bob.id(), "m-2"));
      for (MailServerFrame.Notice n : forAlice.notices()) {
        assertThat(
                Signatures.problem(
                    bob.id(),
                    bob.key(),
                    n.sig(),
                    MailFields.receiptPayload(alice.id(), bob.id(), n.msg())))
            .isEmpty();
      }
      back.close();
    }
    WsTestClient done = connect(a, alice, "alice");
    done.send(
        new MailClientFrame.Ack(
            null,
            List.of(
                new MailClientFrame.Done(bob.id(), "m-0"),
                new MailClientFrame.Done(bob.id(), "m-1"),
                new MailClientFrame.Done(bob.id(), "m-2")),
            "a"));
    assertThat(done.await(MailServerFrame.Acked.class).deleted()).isEqualTo(3);
    assertThat(a.mailbox().stats().messages()).isZero();
    assertThat(a.mailbox().stats().notices()).isZero();
  }

  @Test
  void aRecipientsQuotaHoldsWhileTwoServersDepositForIt() throws Exception {
    redis = RedisServer.start();
    int quota = 7;
    BootstrapServer a = server("a", c -> c.withQuota(quota, 1_000_000));
    BootstrapServer b = server("b", c -> c.withQuota(quota, 1_000_000));
    String bobKey = publishAndLeave(a, bob, "bob");
    WsTestClient aliceOnA = connect(a, alice, "alice");
    WsTestClient carolOnB = connect(b, carol, "carol");
    int each = 10;
    // Both send every deposit before reading any answer, so the two servers' scripts interleave.
    for (int i = 0; i < each; i++) {
      aliceOnA.send(
          new MailClientFrame.Deposit(alice.id(), bob.id(), bobKey, "a" + i, sealed(64), "d"));
      carolOnB.send(
          new MailClientFrame.Deposit(carol.id(), bob.id(), bobKey, "c" + i, sealed(64), "d"));
    }
    int stored = 0;
    int full = 0;
    for (WsTestClient c : List.of(aliceOnA, carolOnB)) {
      for (int i = 0; i < each; i++) {
        ServerFrame f = depositAnswer(c);
        if (f instanceof MailServerFrame.Deposited) {
          stored++;
        } else {
          assertThat(((ServerFrame.Error) f).code()).isEqualTo(ErrorCode.MAILBOX_FULL);
          full++;
        }
      }
    }
    assertThat(stored).isEqualTo(quota);
    assertThat(full).isEqualTo(2 * each - quota);

    WsTestClient bobOnB = connect(b, bob, "bob");
    bobOnB.send(new MailClientFrame.Fetch(null, null, "f"));
    assertThat(bobOnB.await(MailServerFrame.Mail.class).items()).hasSize(quota);
  }

  @Test
  void mailExpiresOnWhicheverServerSweepsAndTheSenderIsToldOnTheOther() throws Exception {
    redis = RedisServer.start();
    UnaryOperator<MailboxConfig> short1 =
        c -> c.withExpiry(Duration.ofSeconds(1), Duration.ofMinutes(10));
    BootstrapServer a = server("a", short1);
    BootstrapServer b =
        server("b", c -> c.withExpiry(Duration.ofSeconds(1), Duration.ofMillis(100)));
    String bobKey = publishAndLeave(b, bob, "bob");
    WsTestClient aliceOnA = connect(a, alice, "alice");
    aliceOnA.send(
        new MailClientFrame.Deposit(alice.id(), bob.id(), bobKey, "old", sealed(64), "d"));
    aliceOnA.await(MailServerFrame.Deposited.class);
    aliceOnA.close();
    // Server a never sweeps within the test (10 min); b does, every 100 ms.
    a.stop();
    servers.remove(a);
    await().atMost(Duration.ofSeconds(20)).until(() -> b.mailbox().stats().messages() == 0);
    assertThat(redis.integer("EXISTS parlance:mail:m:1")).isZero();

    WsTestClient aliceOnB = connect(b, alice, "alice");
    aliceOnB.send(new MailClientFrame.Fetch(null, null, "f"));
    assertThat(aliceOnB.await(MailServerFrame.Mail.class).notices())
        .containsExactly(new MailServerFrame.Notice("expired", bob.id(), "old", null));
    WsTestClient bobOnB = connect(b, bob, "bob");
    bobOnB.send(new MailClientFrame.Fetch(null, null, "f"));
    assertThat(bobOnB.await(MailServerFrame.Mail.class).items()).isEmpty();
  }

  @Test
  void aDurableRedisKeepsWaitingMailAcrossItsRestartAndItsFilesHoldOnlyOpaqueBytes()
      throws Exception {
    redis = RedisServer.startDurable();
    BootstrapServer a = server("a", c -> c);
    String bobKey = publishAndLeave(a, bob, "bob");
    WsTestClient aliceOnA = connect(a, alice, "alice");
    List<String> bodies = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      bodies.add(sealed(500));
      aliceOnA.send(
          new MailClientFrame.Deposit(alice.id(), bob.id(), bobKey, "m" + i, bodies.get(i), "d"));
      aliceOnA.await(MailServerFrame.Deposited.class);
    }
    aliceOnA.close();

    // Killed (SIGKILL) right after the answers: the append-only file has every deposit.
    redis.restart();
    BootstrapServer b = server("b", c -> c);
    WsTestClient bobOnB = connect(b, bob, "bob");
    await()
        .atMost(Duration.ofSeconds(20))
        .ignoreExceptions()
        .until(
            () -> {
              bobOnB.send(new MailClientFrame.Fetch(null, null, "f"));
              return bobOnB.await(MailServerFrame.Mail.class).items().size() == 5;
            });
    bobOnB.send(new MailClientFrame.Fetch(null, null, "f"));
    MailServerFrame.Mail mail = bobOnB.await(MailServerFrame.Mail.class);
    assertThat(mail.items())
        .extracting(MailServerFrame.Item::sealed)
        .containsExactlyElementsOf(bodies);

    // What Redis keeps on disk: the sealed bytes as they came (not re-encoded), under ids.
    // (That no message text is among them is checked with real nodes, in parlance-client's
    // MailboxNodeTest on Redis.)
    List<Path> files = redis.dumpFiles();
    StringBuilder all = new StringBuilder();
    for (Path f : files) {
      all.append(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1));
    }
    String raw = all.toString();
    for (String body : bodies) {
      assertThat(raw)
          .contains(new String(Base64.getDecoder().decode(body), StandardCharsets.ISO_8859_1))
          .doesNotContain(body);
    }
    assertThat(raw).contains(bob.id()).contains(alice.id());
  }

  @Test
  void whileRedisIsAwayADepositIsRefusedWithTryAgainAndWorksOnceItIsBack() throws Exception {
    redis = RedisServer.startDurable();
    BootstrapServer a = server("a", c -> c);
    String bobKey = publishAndLeave(a, bob, "bob");
    WsTestClient aliceOnA = connect(a, alice, "alice");
    redis.kill();
    aliceOnA.send(new MailClientFrame.Deposit(alice.id(), bob.id(), bobKey, "m", sealed(64), "d"));
    ServerFrame.Error away = (ServerFrame.Error) depositAnswer(aliceOnA);
    assertThat(away.code()).isEqualTo(ErrorCode.INTERNAL_ERROR);
    assertThat(away.message()).contains("try again").doesNotContain("Exception");
    assertThat(away.id()).isEqualTo("d");

    redis.restart();
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .until(
            () -> {
              aliceOnA.send(
                  new MailClientFrame.Deposit(alice.id(), bob.id(), bobKey, "m", sealed(64), "d"));
              return depositAnswer(aliceOnA) instanceof MailServerFrame.Deposited;
            });
    assertThat(redis.integer("ZCARD parlance:mail:exp")).isEqualTo(1);
  }
}
