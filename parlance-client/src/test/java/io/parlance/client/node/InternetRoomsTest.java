package io.parlance.client.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.parlance.bootstrap.BootstrapServer;
import io.parlance.bootstrap.BootstrapServerConfig;
import io.parlance.client.peer.Peer;
import io.parlance.client.store.MessageStore;
import io.parlance.client.testing.TestNodes;
import io.parlance.client.testing.TestNodes.Started;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rooms between peers that find each other only through a real bootstrap server (no LAN discovery):
 * the listing's verified key lets a member be invited, and a member that nobody can connect to (it
 * registers a port nothing listens on) takes part through the server's relay.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class InternetRoomsTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;
  private final TestNodes nodes = new TestNodes();
  private BootstrapServer server;

  @AfterEach
  void stopAll() {
    nodes.close();
    if (server != null) {
      server.stop();
    }
  }

  private void startServer() throws Exception {
    server =
        BootstrapServer.start(
            BootstrapServerConfig.builder()
                .host("127.0.0.1")
                .port(0)
                .batchInterval(Duration.ofMillis(50))
                .build());
  }

  /** A port on loopback nothing listens on. */
  private static int deadPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** An internet peer; {@code reachable} false registers a port nothing listens on. */
  private Started start(String nickname, boolean reachable) throws Exception {
    var b =
        nodes
            .options(nickname)
            .dataDir(dir.resolve(nickname))
            .bindHost("127.0.0.1")
            .lanDiscovery(false)
            .bootstrapServer("ws://127.0.0.1:" + server.port())
            // This test is about rooms over the relay: no punch may take carol's links off it
            // (on loopback one sometimes succeeds); NatLabIT covers hole punching.
            .holePunching(false)
            .maxRetryDelay(Duration.ofSeconds(1));
    if (!reachable) {
      b.advertisedTcpPort(deadPort()).relayRetryDirect(Duration.ofSeconds(30));
    }
    return nodes.start(b.build());
  }

  private static List<String> texts(Started s, String room) throws Exception {
    return s.node().rooms().history(room, 1000).get(10, TimeUnit.SECONDS).stream()
        .map(MessageStore.RoomRow::text)
        .toList();
  }

  private static Peer peer(Started at, String nickname) {
    return at.node().peers().stream()
        .filter(p -> p.nickname().equals(nickname))
        .findFirst()
        .orElseThrow();
  }

  private static void inviteAndJoin(Started from, String room, Started to) throws Exception {
    from.node()
        .rooms()
        .invite(room, from.node().resolve(to.node().nickname()))
        .get(10, TimeUnit.SECONDS);
    await()
        .atMost(WAIT)
        .until(
            () ->
                to.events(NodeEvent.RoomActivity.class).stream()
                    .anyMatch(e -> e.kind().equals("invited") && e.room().equals(room)));
    to.node().rooms().join(room).get(10, TimeUnit.SECONDS);
  }

  @Test
  void internetPeersInviteJoinTalkCatchUpVoteAndRemoveWithOneMemberOnlyReachableByRelay()
      throws Exception {
    startServer();
    Started alice = start(nodes.nick("alice"), true);
    Started bob = start(nodes.nick("bob"), true);
    Started carol = start(nodes.nick("carol"), false);
    String aliceName = alice.node().nickname();
    String bobName = bob.node().nickname();
    String carolName = carol.node().nickname();
    await()
        .atMost(WAIT)
        .until(
            () ->
                alice.sees(bobName)
                    && alice.sees(carolName)
                    && bob.sees(carolName)
                    && carol.sees(aliceName)
                    && carol.sees(bobName));
    assertThat(peer(alice, carolName).source()).isEqualTo(Peer.INTERNET);

    // removal takes two votes: the proposer's and one more
    String room = alice.node().rooms().create("net", 2).get(10, TimeUnit.SECONDS).id();
    inviteAndJoin(alice, room, bob);
    inviteAndJoin(alice, room, carol);
    await().atMost(WAIT).until(() -> carol.node().rooms().info(room).get().members() == 3);
    await().atMost(WAIT).until(() -> bob.node().rooms().info(room).get().members() == 3);

    for (int i = 0; i < 10; i++) {
      alice.node().rooms().say(room, "a" + i);
      bob.node().rooms().say(room, "b" + i);
      carol.node().rooms().say(room, "c" + i);
    }
    await().atMost(WAIT).until(() -> texts(alice, room).size() == 30);
    await().atMost(WAIT).until(() -> texts(bob, room).size() == 30);
    await().atMost(WAIT).until(() -> texts(carol, room).size() == 30);
    List<String> order = texts(alice, room);
    assertThat(texts(bob, room)).isEqualTo(order);
    assertThat(texts(carol, room)).isEqualTo(order);
    assertThat(order.stream().filter(t -> t.startsWith("c")).toList())
        .as("carol's own messages keep their order")
        .isEqualTo(IntStream.range(0, 10).mapToObj(i -> "c" + i).toList());
    // nobody can connect to carol: her room lines come through the relay
    assertThat(alice.node().pathTo(peer(alice, carolName)))
        .hasValueSatisfying(p -> assertThat(p).startsWith("relayed via"));
    assertThat(bob.node().pathTo(peer(bob, carolName)))
        .hasValueSatisfying(p -> assertThat(p).startsWith("relayed via"));
    assertThat(bob.node().pathTo(peer(bob, aliceName))).hasValue("direct");

    // carol goes away; the others talk on; she comes back (relayed again) and catches up by sync
    carol.node().stop();
    await().atMost(WAIT).until(() -> !alice.sees(carolName) && !bob.sees(carolName));
    for (int i = 0; i < 40; i++) {
      alice.node().rooms().say(room, "while away " + i);
    }
    await().atMost(WAIT).until(() -> texts(bob, room).size() == 70);
    Started carolAgain = start(carolName, false);
    await().atMost(WAIT).until(() -> texts(carolAgain, room).size() == 70);
    assertThat(texts(carolAgain, room)).isEqualTo(texts(alice, room)).doesNotHaveDuplicates();

    // alice proposes removing bob: one vote of two, so nothing changes yet
    List<Rooms.ProposalInfo> proposed =
        alice.node().rooms().propose(room, "remove", bobName, null).get(10, TimeUnit.SECONDS);
    assertThat(proposed).singleElement().satisfies(p -> assertThat(p.passed()).isFalse());
    String digest = proposed.get(0).digest();
    await()
        .atMost(WAIT)
        .until(
            () ->
                carolAgain.node().rooms().proposals(room).get().stream()
                    .anyMatch(p -> p.digest().equals(digest) && p.votes() == 1));
    assertThat(bob.node().rooms().info(room).get().members()).isEqualTo(3);
    // carol's vote, over the relay, passes it
    carolAgain.node().rooms().vote(room, digest.substring(0, 8)).get(10, TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> alice.node().rooms().info(room).get().members() == 2);
    await().atMost(WAIT).until(() -> carolAgain.node().rooms().info(room).get().members() == 2);
    await()
        .atMost(WAIT)
        .until(
            () ->
                bob.events(NodeEvent.RoomActivity.class).stream()
                    .anyMatch(e -> e.text().contains("you were removed")));
    alice.node().rooms().say(room, "bob is gone").get(10, TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> texts(carolAgain, room).contains("bob is gone"));
    assertThat(texts(bob, room)).doesNotContain("bob is gone");
  }
}
