package io.parlance.client.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.parlance.bootstrap.BootstrapServer;
import io.parlance.bootstrap.BootstrapServerConfig;
import io.parlance.bootstrap.mailbox.MailboxConfig;
import io.parlance.bootstrap.mailbox.SqliteMailbox;
import io.parlance.client.security.Identity;
import io.parlance.client.store.DeliveryState;
import io.parlance.client.store.StoredMessage;
import io.parlance.client.testing.TestNodes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Mail between internet peers that are never online together, through a real server. */
class MailboxNodeTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir Path dir;

  private final TestNodes nodes = new TestNodes();
  private final String aliceName = nodes.nick("alice");
  private final String bobName = nodes.nick("bob");
  private BootstrapServer server;
  private int port;

  @AfterEach
  void stopAll() {
    nodes.close();
    if (server != null) {
      server.stop();
    }
  }

  private void startServer(UnaryOperator<MailboxConfig> mailbox) throws Exception {
    Path file = dir.resolve("server/mailbox.db");
    server =
        BootstrapServer.start(
            BootstrapServerConfig.builder()
                .host("127.0.0.1")
                .port(port)
                .batchInterval(Duration.ofMillis(50))
                .mailbox(mailbox.apply(MailboxConfig.defaults(() -> SqliteMailbox.open(file))))
                .build());
    port = server.port();
  }

  private TestNodes.Started start(String nickname) throws Exception {
    return nodes.start(
        nodes
            .options(nickname)
            .bindHost("127.0.0.1")
            .lanDiscovery(false)
            .bootstrapServer("ws://127.0.0.1:" + port)
            .dataDir(dir.resolve(nickname))
            .build());
  }

  /** Alice and bob meet once (so alice knows bob's id), then bob leaves. */
  private TestNodes.Started meetThenBobLeaves() throws Exception {
    TestNodes.Started alice = start(aliceName);
    TestNodes.Started bob = start(bobName);
    await().atMost(WAIT).until(() -> alice.sees(bobName) && bob.sees(aliceName));
    alice.node().send(bobName, "hello while we are both here").get();
    await().atMost(WAIT).until(() -> bob.received().contains("hello while we are both here"));
    await().atMost(WAIT).until(() -> server.mailbox().stats().keys() == 2);
    bob.node().stop();
    await().atMost(WAIT).until(() -> !alice.sees(bobName));
    return alice;
  }

  private static List<StoredMessage> history(TestNodes.Started node, String peer) throws Exception {
    return node.node().history(peer, 100).get();
  }

  @Test
  void mailForAnOfflinePeerSurvivesAServerRestartArrivesOnceInOrderAndComesBackDelivered()
      throws Exception {
    startServer(c -> c);
    TestNodes.Started alice = meetThenBobLeaves();
    List<String> texts = List.of("first secret-one", "second secret-two", "third secret-three");
    for (String t : texts) {
      alice.node().send(bobName, t).get();
    }
    await().atMost(WAIT).until(() -> server.mailbox().stats().messages() == 3);
    await()
        .atMost(WAIT)
        .until(
            () ->
                history(alice, bobName).stream()
                        .filter(m -> m.state() == DeliveryState.DEPOSITED)
                        .count()
                    == 3);
    assertThat(alice.events(NodeEvent.Delivery.class))
        .filteredOn(d -> d.state() == DeliveryState.DEPOSITED)
        .hasSize(3);
    alice.node().stop();

    // The server's files hold no message text.
    server.stop();
    for (Path f : serverFiles()) {
      String raw = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
      for (String t : texts) {
        assertThat(raw).as(f.toString()).doesNotContain("secret").doesNotContain(t);
      }
    }
    startServer(c -> c);
    assertThat(server.mailbox().stats().messages()).isEqualTo(3);

    TestNodes.Started bob = start(bobName);
    await().atMost(WAIT).until(() -> bob.received().containsAll(texts));
    await().atMost(WAIT).until(() -> server.mailbox().stats().messages() == 0);
    assertThat(bob.received())
        .containsExactly("first secret-one", "second secret-two", "third secret-three");
    assertThat(bob.events(NodeEvent.MessageReceived.class))
        .allSatisfy(
            m -> {
              assertThat(m.verified()).isTrue();
              assertThat(m.from()).isEqualTo(aliceName);
              assertThat(m.address()).isEqualTo(MailboxEvents.MAILBOX_ADDRESS);
            });
    Identity aliceId = Identity.loadOrCreate(dir.resolve(aliceName));
    assertThat(bob.events(NodeEvent.MessageReceived.class))
        .allSatisfy(m -> assertThat(m.senderId()).isEqualTo(aliceId.id()));
    bob.node().stop();

    TestNodes.Started aliceAgain = start(aliceName);
    await()
        .atMost(WAIT)
        .until(
            () ->
                history(aliceAgain, bobName).stream()
                    .allMatch(m -> m.state() == DeliveryState.DELIVERED));
    assertThat(aliceAgain.events(NodeEvent.Delivery.class))
        .filteredOn(d -> d.state() == DeliveryState.DELIVERED)
        .extracting(NodeEvent.Delivery::content)
        .containsExactlyElementsOf(texts);
    await().atMost(WAIT).until(() -> server.mailbox().stats().notices() == 0);
  }

  @Test
  void aMessageDepositedAndAlsoDeliveredDirectlyIsShownOnce() throws Exception {
    startServer(c -> c);
    TestNodes.Started alice = meetThenBobLeaves();
    alice.node().send(bobName, "one copy only").get();
    await().atMost(WAIT).until(() -> server.mailbox().stats().messages() == 1);

    TestNodes.Started bob = start(bobName);
    await()
        .atMost(WAIT)
        .until(
            () ->
                history(alice, bobName).stream()
                    .allMatch(m -> m.state() == DeliveryState.DELIVERED));
    await().atMost(WAIT).until(() -> server.mailbox().stats().messages() == 0);
    assertThat(bob.received()).containsOnlyOnce("one copy only");
    assertThat(history(bob, aliceName))
        .filteredOn(m -> m.content().equals("one copy only"))
        .hasSize(1);
  }

  @Test
  void aFullMailboxKeepsTheMessageInTheOutboxAndSaysSo() throws Exception {
    startServer(c -> c.withQuota(1, 1_000_000));
    TestNodes.Started alice = meetThenBobLeaves();
    alice.node().send(bobName, "fits").get();
    alice.node().send(bobName, "does not fit").get();
    await()
        .atMost(WAIT)
        .until(
            () ->
                alice.events(NodeEvent.Error.class).stream()
                    .anyMatch(e -> e.message().contains("mailbox_full")));
    assertThat(server.mailbox().stats().messages()).isEqualTo(1);
    assertThat(history(alice, bobName))
        .filteredOn(m -> m.content().equals("does not fit"))
        .singleElement()
        .extracting(StoredMessage::state)
        .isEqualTo(DeliveryState.QUEUED);
    assertThat(alice.events(NodeEvent.Error.class))
        .anySatisfy(e -> assertThat(e.message()).contains("stays in the outbox"));
  }

  @Test
  void anExpiredMessageIsDeletedAndItsSenderToldAndItWaitsForDirectDelivery() throws Exception {
    startServer(c -> c.withExpiry(Duration.ofSeconds(1), Duration.ofMillis(100)));
    TestNodes.Started alice = meetThenBobLeaves();
    alice.node().send(bobName, "too late").get();
    await().atMost(WAIT).until(() -> server.mailbox().stats().notices() == 1);
    assertThat(server.mailbox().stats().messages()).isZero();
    alice.node().stop();

    TestNodes.Started again = start(aliceName);
    await()
        .atMost(WAIT)
        .until(
            () ->
                again.events(NodeEvent.ServerStatus.class).stream()
                    .anyMatch(s -> s.status().equals("mail_expired")));
    assertThat(history(again, bobName))
        .filteredOn(m -> m.content().equals("too late"))
        .singleElement()
        .extracting(StoredMessage::state)
        .isNotEqualTo(DeliveryState.DELIVERED)
        .isNotEqualTo(DeliveryState.DEPOSITED);
  }

  @Test
  void noMailboxOnTheClientDepositsNothing() throws Exception {
    startServer(c -> c);
    TestNodes.Started alice =
        nodes.start(
            nodes
                .options(aliceName)
                .bindHost("127.0.0.1")
                .lanDiscovery(false)
                .bootstrapServer("ws://127.0.0.1:" + port)
                .dataDir(dir.resolve(aliceName))
                .mailbox(false)
                .build());
    TestNodes.Started bob = start(bobName);
    await().atMost(WAIT).until(() -> alice.sees(bobName) && bob.sees(aliceName));
    assertThat(alice.node().peers())
        .singleElement()
        .satisfies(p -> assertThat(p.caps()).contains("mail"));
    assertThat(bob.node().peers())
        .singleElement()
        .satisfies(p -> assertThat(p.caps()).doesNotContain("mail"));
    alice.node().send(bobName, "hi").get();
    await().atMost(WAIT).until(() -> bob.received().contains("hi"));
    bob.node().stop();
    await().atMost(WAIT).until(() -> !alice.sees(bobName));
    alice.node().send(bobName, "kept here").get();
    assertThat(server.mailbox().stats().keys()).isEqualTo(1);
    assertThat(server.mailbox().stats().messages()).isZero();
  }

  private List<Path> serverFiles() throws Exception {
    List<Path> files = new ArrayList<>();
    try (Stream<Path> s = Files.list(dir.resolve("server"))) {
      s.forEach(files::add);
    }
    assertThat(files).isNotEmpty();
    return files;
  }
}
