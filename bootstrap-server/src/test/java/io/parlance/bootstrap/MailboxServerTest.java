package io.parlance.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.parlance.bootstrap.mailbox.MailboxConfig;
import io.parlance.bootstrap.mailbox.SqliteMailbox;
import io.parlance.protocol.bootstrap.ClientFrame;
import io.parlance.protocol.bootstrap.ErrorCode;
import io.parlance.protocol.bootstrap.MailClientFrame;
import io.parlance.protocol.bootstrap.MailFields;
import io.parlance.protocol.bootstrap.MailServerFrame;
import io.parlance.protocol.bootstrap.ServerFrame;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mailbox over real WebSockets: who may deposit, quotas, fetch, receipts, expiry, restarts. Run
 * on the embedded store here, and on Redis by {@link RedisMailboxServerTest}.
 */
class MailboxServerTest {

  private static final SecureRandom RANDOM = new SecureRandom();

  @TempDir Path dir;

  private final TestKeys alice = TestKeys.generate();
  private final TestKeys bob = TestKeys.generate();
  private final TestKeys mallory = TestKeys.generate();
  private final List<WsTestClient> clients = new ArrayList<>();
  private BootstrapServer server;

  @AfterEach
  void stop() throws Exception {
    clients.forEach(WsTestClient::close);
    if (server != null) {
      server.stop();
    }
    afterServer();
  }

  /**
   * Chooses where the server keeps its mail: the embedded store given in its mailbox settings.
   *
   * @param builder the server's settings
   */
  void store(BootstrapServerConfig.Builder builder) {}

  /** Runs after the server stopped, for what {@link #store} started. */
  void afterServer() throws Exception {}

  private void start(UnaryOperator<MailboxConfig> mailbox) throws Exception {
    Path file = dir.resolve("mailbox.db");
    BootstrapServerConfig.Builder b =
        BootstrapServerConfig.builder()
            .host("127.0.0.1")
            .port(0)
            .registrationRatePerIp(1000, 1000)
            .frameRate(1000, 1000)
            .maxConnectionsPerIp(1000);
    if (mailbox != null) {
      b.mailbox(mailbox.apply(MailboxConfig.defaults(() -> SqliteMailbox.open(file))));
    }
    store(b);
    server = BootstrapServer.start(b.build());
  }

  private WsTestClient connect(TestKeys keys, String nickname) throws Exception {
    WsTestClient c = WsTestClient.connect(URI.create("ws://127.0.0.1:" + server.port() + "/"));
    clients.add(c);
    ServerFrame.Challenge challenge = c.await(ServerFrame.Challenge.class);
    c.send(
        keys == null
            ? new ClientFrame.Register(nickname, 4000, null)
            : keys.register(nickname, 4000, challenge.nonce()));
    c.await(ServerFrame.Registered.class);
    return c;
  }

  private static String mailKey() {
    byte[] k = new byte[32];
    RANDOM.nextBytes(k);
    return Base64.getEncoder().encodeToString(k);
  }

  private static MailClientFrame.KeyPublish publish(TestKeys keys, String mailKey) {
    return new MailClientFrame.KeyPublish(
        mailKey, keys.sign(MailFields.mailKeyPayload(keys.id(), mailKey)), "pub");
  }

  private static String sealed(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return Base64.getEncoder().encodeToString(b);
  }

  private static ServerFrame.Error error(WsTestClient c) throws Exception {
    return c.await(ServerFrame.Error.class);
  }

  /** Bob publishes a mail key and goes offline; returns the key. */
  private String bobPublishesAndLeaves() throws Exception {
    WsTestClient b = connect(bob, "bob");
    String key = mailKey();
    b.send(publish(bob, key));
    assertThat(b.await(MailServerFrame.MailKey.class).mailKey()).isEqualTo(key);
    b.close();
    return key;
  }

  @Test
  void mailWaitsForItsRecipientAcrossARestartAndItsReceiptsReachTheSender() throws Exception {
    start(c -> c);
    String bobKey = bobPublishesAndLeaves();
    WsTestClient a = connect(alice, "alice");
    a.send(new MailClientFrame.KeyLookup(bob.id(), "k"));
    MailServerFrame.MailKey found = a.await(MailServerFrame.MailKey.class);
    assertThat(found.key()).isEqualTo(bob.key());
    assertThat(MailFields.mailKeyProblem(bob.id(), found.key(), found.mailKey(), found.mailSig()))
        .isEmpty();
    List<String> bodies = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      String body = sealed(300 + i);
      bodies.add(body);
      a.send(new MailClientFrame.Deposit(alice.id(), bob.id(), bobKey, "m-" + i, body, "d" + i));
      MailServerFrame.Deposited d = a.await(MailServerFrame.Deposited.class);
      assertThat(d.msg()).isEqualTo("m-" + i);
      assertThat(d.expires()).isGreaterThan(System.currentTimeMillis() / 1000 + 6 * 86_400);
    }
    // The same message again is kept once.
    a.send(new MailClientFrame.Deposit(alice.id(), bob.id(), bobKey, "m-0", bodies.get(0), "d"));
    a.await(MailServerFrame.Deposited.class);
    assertThat(server.mailbox().stats().messages()).isEqualTo(3);
    assertThat(server.mailbox().stats().bytes()).isEqualTo(300 + 301 + 302);
    a.close();

    server.stop();
    start(c -> c);
    assertThat(server.mailbox().stats().messages()).isEqualTo(3);

    WsTestClient b = connect(bob, "bob");
    b.send(new MailClientFrame.Fetch(null, null, "f"));
    MailServerFrame.Mail mail = b.await(MailServerFrame.Mail.class);
    assertThat(mail.items())
        .extracting(MailServerFrame.Item::msg)
        .containsExactly("m-0", "m-1", "m-2");
    assertThat(mail.items())
        .extracting(MailServerFrame.Item::sealed)
        .containsExactlyElementsOf(bodies);
    assertThat(mail.items()).allSatisfy(i -> assertThat(i.from()).isEqualTo(alice.id()));
    assertThat(mail.more()).isFalse();
    List<MailClientFrame.Receipt> receipts = new ArrayList<>();
    for (MailServerFrame.Item item : mail.items()) {
      receipts.add(
          new MailClientFrame.Receipt(
              item.from(),
              item.msg(),
              bob.sign(MailFields.receiptPayload(item.from(), bob.id(), item.msg()))));
    }
    b.send(new MailClientFrame.Ack(receipts, null, "a"));
    assertThat(b.await(MailServerFrame.Acked.class).deleted()).isEqualTo(3);
    assertThat(server.mailbox().stats().messages()).isZero();

    WsTestClient a2 = connect(alice, "alice");
    a2.send(new MailClientFrame.Fetch(null, null, "f"));
    MailServerFrame.Mail forAlice = a2.await(MailServerFrame.Mail.class);
    assertThat(forAlice.items()).isEmpty();
    assertThat(forAlice.notices())
        .extracting(
            MailServerFrame.Notice::kind, MailServerFrame.Notice::to, MailServerFrame.Notice::msg)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("delivered", bob.id(), "m-0"),
            org.assertj.core.groups.Tuple.tuple("delivered", bob.id(), "m-1"),
            org.assertj.core.groups.Tuple.tuple("delivered", bob.id(), "m-2"));
    for (MailServerFrame.Notice n : forAlice.notices()) {
      assertThat(
              io.parlance.protocol.identity.Signatures.problem(
                  bob.id(),
                  bob.key(),
                  n.sig(),
                  MailFields.receiptPayload(alice.id(), bob.id(), n.msg())))
          .isEmpty();
    }
    List<MailClientFrame.Done> done = new ArrayList<>();
    forAlice.notices().forEach(n -> done.add(new MailClientFrame.Done(n.to(), n.msg())));
    a2.send(new MailClientFrame.Ack(null, done, "a"));
    assertThat(a2.await(MailServerFrame.Acked.class).deleted()).isEqualTo(3);
    assertThat(server.mailbox().stats().notices()).isZero();

    String metrics = server.scrapeMetrics();
    assertThat(metrics)
        .contains("bootstrap_mailbox_messages 0.0")
        .contains("bootstrap_mailbox_bytes");
  }

  @Test
  void healthzAndMetricsCountTheMailWaiting() throws Exception {
    start(c -> c);
    String bobKey = bobPublishesAndLeaves();
    WsTestClient a = connect(alice, "alice");
    a.send(new MailClientFrame.Deposit(alice.id(), bob.id(), bobKey, "m", sealed(500), "d"));
    a.await(MailServerFrame.Deposited.class);
    HttpResponse<String> health =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/healthz"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(health.body())
        .contains("\"mailbox\":")
        .contains("\"messages\":1")
        .contains("\"bytes\":500");
    assertThat(server.scrapeMetrics())
        .contains("bootstrap_mailbox_messages 1.0")
        .contains("bootstrap_mailbox_bytes 500.0")
        .contains("bootstrap_mailbox_deposits_total{result=\"stored\"} 1.0");
  }

  @Test
  void onlyAProvenRegistrationMayUseTheMailboxAndOnlyUnderItsOwnId() throws Exception {
    start(c -> c);
    String bobKey = bobPublishesAndLeaves();
    WsTestClient plain = connect(null, "plain");
    plain.send(new MailClientFrame.Deposit(alice.id(), bob.id(), bobKey, "m", sealed(64), "d"));
    assertThat(error(plain).code()).isEqualTo(ErrorCode.MAIL_REFUSED);

    WsTestClient m = connect(mallory, "mallory");
    m.send(new MailClientFrame.Deposit(alice.id(), bob.id(), bobKey, "m", sealed(64), "d"));
    ServerFrame.Error forged = error(m);
    assertThat(forged.code()).isEqualTo(ErrorCode.MAIL_REFUSED);
    assertThat(forged.message()).contains("your own id");
    assertThat(forged.id()).isEqualTo("d");

    // A mail key for bob's id that bob's key did not sign is not published.
    m.send(
        new MailClientFrame.KeyPublish(
            mailKey(), mallory.sign(MailFields.mailKeyPayload(bob.id(), mailKey())), "p"));
    // (It would be recorded under mallory's own id anyway; its binding is checked with her key.)
    assertThat(error(m).code()).isEqualTo(ErrorCode.MAIL_REFUSED);

    // A receipt not signed by the acknowledging key is refused.
    m.send(
        new MailClientFrame.Ack(
            List.of(
                new MailClientFrame.Receipt(
                    alice.id(),
                    "m",
                    bob.sign(MailFields.receiptPayload(alice.id(), mallory.id(), "m")))),
            null,
            "a"));
    assertThat(error(m).code()).isEqualTo(ErrorCode.MAIL_REFUSED);

    WsTestClient unregistered =
        WsTestClient.connect(URI.create("ws://127.0.0.1:" + server.port() + "/"));
    clients.add(unregistered);
    unregistered.send(new MailClientFrame.Fetch(null, null, "f"));
    assertThat(error(unregistered).code()).isEqualTo(ErrorCode.NOT_REGISTERED);
    assertThat(server.mailbox().stats().messages()).isZero();
  }

  @Test
  void aDepositForAnotherKeyOrAnUnknownPeerIsRefused() throws Exception {
    start(c -> c);
    bobPublishesAndLeaves();
    WsTestClient a = connect(alice, "alice");
    a.send(new MailClientFrame.Deposit(alice.id(), bob.id(), mailKey(), "m", sealed(64), "d"));
    assertThat(error(a).code()).isEqualTo(ErrorCode.MAIL_KEY_MISMATCH);
    a.send(new MailClientFrame.Deposit(alice.id(), mallory.id(), mailKey(), "m", sealed(64), "d"));
    assertThat(error(a).code()).isEqualTo(ErrorCode.NO_MAIL_KEY);
    a.send(new MailClientFrame.KeyLookup(mallory.id(), "k"));
    assertThat(error(a).code()).isEqualTo(ErrorCode.NO_MAIL_KEY);
  }

  @Test
  void quotasSizeAndRateAreEnforcedWithClearErrors() throws Exception {
    start(c -> c.withQuota(2, 1_000).withMaxMessageBytes(600).withSenderRate(0.01, 3));
    String bobKey = bobPublishesAndLeaves();
    WsTestClient a = connect(alice, "alice");
    a.send(new MailClientFrame.Deposit(alice.id(), bob.id(), bobKey, "big", sealed(601), "d"));
    ServerFrame.Error big = error(a);
    assertThat(big.code()).isEqualTo(ErrorCode.MAIL_TOO_LARGE);
    assertThat(big.message()).contains("601 bytes").contains("600");

    a.send(new MailClientFrame.Deposit(alice.id(), bob.id(), bobKey, "m1", sealed(500), "d"));
    a.await(MailServerFrame.Deposited.class);
    a.send(new MailClientFrame.Deposit(alice.id(), bob.id(), bobKey, "m2", sealed(600), "d"));
    ServerFrame.Error bytes = error(a);
    assertThat(bytes.code()).isEqualTo(ErrorCode.MAILBOX_FULL);
    assertThat(bytes.message()).contains("1000 bytes");
    a.send(new MailClientFrame.Deposit(alice.id(), bob.id(), bobKey, "m3", sealed(100), "d"));
    a.await(MailServerFrame.Deposited.class);
    // Three deposits so far took the burst (the oversized one took none); the next is over.
    a.send(new MailClientFrame.Deposit(alice.id(), bob.id(), bobKey, "m4", sealed(100), "d"));
    ServerFrame.Error rate = error(a);
    assertThat(rate.code()).isEqualTo(ErrorCode.RATE_LIMITED);
    assertThat(server.mailbox().stats().messages()).isEqualTo(2);
  }

  @Test
  void aFullCountIsMailboxFull() throws Exception {
    start(c -> c.withQuota(2, 1_000_000));
    String bobKey = bobPublishesAndLeaves();
    WsTestClient a = connect(alice, "alice");
    for (int i = 0; i < 2; i++) {
      a.send(new MailClientFrame.Deposit(alice.id(), bob.id(), bobKey, "m" + i, sealed(64), "d"));
      a.await(MailServerFrame.Deposited.class);
    }
    a.send(new MailClientFrame.Deposit(alice.id(), bob.id(), bobKey, "m9", sealed(64), "d"));
    ServerFrame.Error full = error(a);
    assertThat(full.code()).isEqualTo(ErrorCode.MAILBOX_FULL);
    assertThat(full.message()).contains("2 messages");
  }

  @Test
  void expiredMailIsDeletedAndItsSenderIsTold() throws Exception {
    start(c -> c.withExpiry(Duration.ofSeconds(1), Duration.ofMillis(100)));
    String bobKey = bobPublishesAndLeaves();
    WsTestClient a = connect(alice, "alice");
    a.send(new MailClientFrame.Deposit(alice.id(), bob.id(), bobKey, "old", sealed(64), "d"));
    a.await(MailServerFrame.Deposited.class);
    await().atMost(Duration.ofSeconds(20)).until(() -> server.mailbox().stats().messages() == 0);
    a.send(new MailClientFrame.Fetch(null, null, "f"));
    MailServerFrame.Mail mail = a.await(MailServerFrame.Mail.class);
    assertThat(mail.notices())
        .containsExactly(new MailServerFrame.Notice("expired", bob.id(), "old", null));
    WsTestClient b = connect(bob, "bob");
    b.send(new MailClientFrame.Fetch(null, null, "f"));
    assertThat(b.await(MailServerFrame.Mail.class).items()).isEmpty();
  }

  @Test
  void aServerWithoutAMailboxSaysSo() throws Exception {
    start(null);
    WsTestClient a = connect(alice, "alice");
    a.send(new MailClientFrame.Fetch(null, null, "f"));
    ServerFrame.Error e = error(a);
    assertThat(e.code()).isEqualTo(ErrorCode.NO_MAILBOX);
    assertThat(e.id()).isEqualTo("f");
  }

  @Test
  void aLongMailboxIsFetchedInPagesInOrder() throws Exception {
    start(c -> c.withSenderRate(1000, 1000));
    String bobKey = bobPublishesAndLeaves();
    WsTestClient a = connect(alice, "alice");
    for (int i = 0; i < 250; i++) {
      a.send(new MailClientFrame.Deposit(alice.id(), bob.id(), bobKey, "m" + i, sealed(64), "d"));
      a.await(MailServerFrame.Deposited.class);
    }
    WsTestClient b = connect(bob, "bob");
    List<String> got = new ArrayList<>();
    long after = 0;
    boolean more = true;
    while (more) {
      b.send(new MailClientFrame.Fetch(after, 500, "f"));
      MailServerFrame.Mail page = b.await(MailServerFrame.Mail.class);
      page.items().forEach(i -> got.add(i.msg()));
      after = page.next();
      more = page.more();
    }
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 250; i++) {
      expected.add("m" + i);
    }
    assertThat(got).containsExactlyElementsOf(expected);
  }
}
