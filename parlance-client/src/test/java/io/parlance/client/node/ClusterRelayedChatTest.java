package io.parlance.client.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.parlance.bootstrap.BootstrapServer;
import io.parlance.bootstrap.BootstrapServerConfig;
import io.parlance.bootstrap.RedisServer;
import io.parlance.bootstrap.cluster.ClusterOptions;
import io.parlance.client.delivery.Outgoing;
import io.parlance.client.peer.Peer;
import io.parlance.client.store.DeliveryState;
import io.parlance.client.testing.TestNodes;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real nodes registered on different bootstrap servers of a cluster on a real {@code
 * redis-server} chat both ways with acks: directly when they can reach each other, and, when
 * neither can, through the relay of the server the first message's sender is on, with TLS end to
 * end.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ClusterRelayedChatTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;
  private final TestNodes nodes = new TestNodes();
  private final List<BootstrapServer> servers = new ArrayList<>();
  private RedisServer redis;

  @BeforeEach
  void startRedis() throws Exception {
    redis = RedisServer.start();
  }

  @AfterEach
  void stopAll() throws Exception {
    nodes.close();
    servers.forEach(BootstrapServer::stop);
    if (redis != null) {
      redis.close();
    }
  }

  private BootstrapServer server(String id) throws Exception {
    BootstrapServer s =
        BootstrapServer.start(
            BootstrapServerConfig.builder()
                .host("127.0.0.1")
                .port(0)
                .batchInterval(Duration.ofMillis(50))
                .cluster(
                    ClusterOptions.defaults(redis.uri(), id, Duration.ofMinutes(10))
                        .withTimes(Duration.ofMillis(200), Duration.ofSeconds(1)))
                .build());
    servers.add(s);
    return s;
  }

  private static int deadPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private TestNodes.Started unreachablePeer(String base, BootstrapServer on) throws Exception {
    return nodes.start(
        nodes
            .options(nodes.nick(base))
            .dataDir(dir.resolve(base))
            .lanDiscovery(false)
            .bootstrapServer("ws://127.0.0.1:" + on.port())
            .advertisedTcpPort(deadPort())
            // relayed is what this test asserts; NatLabIT covers hole punching
            .holePunching(false)
            .maxRetryDelay(Duration.ofSeconds(1))
            .build());
  }

  private TestNodes.Started reachablePeer(String base, BootstrapServer on) throws Exception {
    return nodes.start(
        nodes
            .options(nodes.nick(base))
            .dataDir(dir.resolve(base))
            .lanDiscovery(false)
            .bootstrapServer("ws://127.0.0.1:" + on.port())
            .build());
  }

  @Test
  void peersOnTwoServersThatCanConnectChatDirectlyWithAcks() throws Exception {
    BootstrapServer a = server("a");
    BootstrapServer b = server("b");
    String aliceName = nodes.nick("alice");
    String bobName = nodes.nick("bob");
    TestNodes.Started alice = reachablePeer("alice", a);
    TestNodes.Started bob = reachablePeer("bob", b);
    await().atMost(WAIT).until(() -> alice.sees(bobName) && bob.sees(aliceName));
    Outgoing out = alice.node().send(bobName, "direct-there").get(10, TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> bob.received().contains("direct-there"));
    await().atMost(WAIT).until(() -> delivered(alice, out.id()));
    Outgoing reply = bob.node().send(aliceName, "direct-back").get(10, TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> alice.received().contains("direct-back"));
    await().atMost(WAIT).until(() -> delivered(bob, reply.id()));
    assertThat(alice.node().pathTo(peer(alice, bobName))).hasValue("direct");
    assertThat(a.scrapeMetrics()).contains("bootstrap_relay_sessions_opened_total 0.0");
    assertThat(b.scrapeMetrics()).contains("bootstrap_relay_sessions_opened_total 0.0");
  }

  private static boolean delivered(TestNodes.Started node, String id) {
    return node.events(NodeEvent.Delivery.class).stream()
        .anyMatch(d -> d.id().equals(id) && d.state() == DeliveryState.DELIVERED);
  }

  private static Peer peer(TestNodes.Started node, String nickname) {
    return node.node().peers().stream()
        .filter(p -> p.nickname().equals(nickname))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void peersOnTwoServersThatCannotConnectChatBothWaysThroughTheRelayWithAcks() throws Exception {
    BootstrapServer a = server("a");
    BootstrapServer b = server("b");
    String aliceName = nodes.nick("alice");
    String bobName = nodes.nick("bob");
    TestNodes.Started alice = unreachablePeer("alice", a);
    TestNodes.Started bob = unreachablePeer("bob", b);
    await().atMost(WAIT).until(() -> alice.sees(bobName) && bob.sees(aliceName));

    String there = "over-two-servers-" + System.nanoTime();
    Outgoing out = alice.node().send(bobName, there).get(10, TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> bob.received().contains(there));
    await().atMost(WAIT).until(() -> delivered(alice, out.id()));
    String back = "and-back-" + System.nanoTime();
    Outgoing reply = bob.node().send(aliceName, back).get(10, TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> alice.received().contains(back));
    await().atMost(WAIT).until(() -> delivered(bob, reply.id()));

    assertThat(alice.node().pathTo(peer(alice, bobName)))
        .hasValueSatisfying(p -> assertThat(p).startsWith("relayed via"));
    // Alice asked first, so her session lives on her server, a; b routed the offer to bob.
    assertThat(a.scrapeMetrics()).doesNotContain("bootstrap_relay_sessions_opened_total 0.0");
  }
}
