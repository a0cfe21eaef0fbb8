package io.parlance.client.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.parlance.bootstrap.BootstrapServer;
import io.parlance.bootstrap.BootstrapServerConfig;
import io.parlance.bootstrap.RedisServer;
import io.parlance.bootstrap.cluster.ClusterOptions;
import io.parlance.bootstrap.mailbox.MailboxConfig;
import io.parlance.bootstrap.mailbox.SqliteMailbox;
import io.parlance.client.store.DeliveryState;
import io.parlance.client.store.StoredMessage;
import io.parlance.client.testing.TestNodes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mail between real nodes registered on two bootstrap servers that share a real {@code
 * redis-server}: alice deposits through server a, bob fetches through server b, alice learns of the
 * delivery at her next registration, and Redis's files never hold the text.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RedisMailboxNodeTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;

  private final TestNodes nodes = new TestNodes();
  private final String aliceName = nodes.nick("alice");
  private final String bobName = nodes.nick("bob");
  private final List<BootstrapServer> servers = new ArrayList<>();
  private RedisServer redis;

  @AfterEach
  void stopAll() throws Exception {
    nodes.close();
    servers.forEach(BootstrapServer::stop);
    if (redis != null) {
      redis.close();
    }
  }

  private BootstrapServer server(String id) throws Exception {
    Path unused = dir.resolve(id + "/mailbox.db");
    BootstrapServer s =
        BootstrapServer.start(
            BootstrapServerConfig.builder()
                .host("127.0.0.1")
                .port(0)
                .batchInterval(Duration.ofMillis(50))
                .mailbox(MailboxConfig.defaults(() -> SqliteMailbox.open(unused)))
                .cluster(ClusterOptions.defaults(redis.uri(), id, Duration.ofMinutes(10)))
                .build());
    servers.add(s);
    return s;
  }

  private TestNodes.Started start(String nickname, BootstrapServer server) throws Exception {
    return nodes.start(
        nodes
            .options(nickname)
            .bindHost("127.0.0.1")
            .lanDiscovery(false)
            .bootstrapServer("ws://127.0.0.1:" + server.port())
            .dataDir(dir.resolve(nickname))
            .build());
  }

  private static List<StoredMessage> history(TestNodes.Started node, String peer) throws Exception {
    return node.node().history(peer, 100).get();
  }

  @Test
  void mailDepositedThroughOneServerIsFetchedThroughAnotherOnceInOrderAndComesBackDelivered()
      throws Exception {
    redis = RedisServer.startDurable();
    BootstrapServer a = server("a");
    BootstrapServer b = server("b");
    TestNodes.Started alice = start(aliceName, a);
    TestNodes.Started bob = start(bobName, b);
    await().atMost(WAIT).until(() -> alice.sees(bobName) && bob.sees(aliceName));
    alice.node().send(bobName, "hello across servers").get();
    await().atMost(WAIT).until(() -> bob.received().contains("hello across servers"));
    // Both mail keys are in Redis (a server's own counts show another's changes only after its
    // next call or sweep).
    await().atMost(WAIT).until(() -> redis.integer("HLEN parlance:mail:keys") == 2);
    bob.node().stop();
    await().atMost(WAIT).until(() -> !alice.sees(bobName));

    List<String> texts = List.of("first secret-one", "second secret-two", "third secret-three");
    for (String t : texts) {
      alice.node().send(bobName, t).get();
    }
    await().atMost(WAIT).until(() -> a.mailbox().stats().messages() == 3);
    await()
        .atMost(WAIT)
        .until(
            () ->
                history(alice, bobName).stream()
                        .filter(m -> m.state() == DeliveryState.DEPOSITED)
                        .count()
                    == 3);
    alice.node().stop();

    // Redis's files (the snapshot and the append-only log) hold no message text.
    for (Path f : redis.dumpFiles()) {
      String raw = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
      assertThat(raw).as(f.toString()).doesNotContain("secret").doesNotContain("hello across");
    }

    TestNodes.Started bobAgain = start(bobName, b);
    await().atMost(WAIT).until(() -> bobAgain.received().containsAll(texts));
    await().atMost(WAIT).until(() -> redis.integer("ZCARD parlance:mail:exp") == 0);
    assertThat(bobAgain.received()).containsExactlyElementsOf(texts);
    assertThat(bobAgain.events(NodeEvent.MessageReceived.class))
        .allSatisfy(
            m -> {
              assertThat(m.verified()).isTrue();
              assertThat(m.from()).isEqualTo(aliceName);
              assertThat(m.address()).isEqualTo(MailboxEvents.MAILBOX_ADDRESS);
            });
    bobAgain.node().stop();

    // Alice comes back on the other server: the receipts bob left on b reach her there.
    TestNodes.Started aliceAgain = start(aliceName, b);
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
  }
}
