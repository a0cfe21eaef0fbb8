package io.parlance.client.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.parlance.bootstrap.BootstrapServer;
import io.parlance.bootstrap.BootstrapServerConfig;
import io.parlance.client.peer.Peer;
import io.parlance.client.security.Identity;
import io.parlance.client.testing.TestNodes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Internet mode: peers found through a real bootstrap server on loopback, no multicast. */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PeerNodeInternetTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  private final TestNodes nodes = new TestNodes();
  private BootstrapServer server;

  @AfterEach
  void stopAll() {
    nodes.close();
    if (server != null) {
      server.stop();
    }
  }

  private void startServer(int port) throws Exception {
    server =
        BootstrapServer.start(
            BootstrapServerConfig.builder()
                .host("127.0.0.1")
                .port(port)
                .batchInterval(Duration.ofMillis(50))
                .build());
  }

  private NodeOptions.Builder internetOptions(String nickname) {
    return nodes
        .options(nickname)
        .bindHost("127.0.0.1")
        .lanDiscovery(false)
        .bootstrapServer("ws://127.0.0.1:" + server.port());
  }

  private TestNodes.Started internetPeer(String nickname, boolean lan) throws Exception {
    return nodes.start(internetOptions(nickname).lanDiscovery(lan).build());
  }

  @Test
  void peersFoundThroughTheServerAreListedAsInternetPeersAndChatBothWays() throws Exception {
    startServer(0);
    String aliceName = nodes.nick("alice");
    String bobName = nodes.nick("bob");
    TestNodes.Started alice = internetPeer(aliceName, false);
    TestNodes.Started bob = internetPeer(bobName, false);

    await().atMost(WAIT).until(() -> alice.sees(bobName) && bob.sees(aliceName));
    assertThat(alice.node().peers())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.source()).isEqualTo(Peer.INTERNET);
              assertThat(p.address().getPort()).isEqualTo(bob.node().tcpPort());
            });
    assertThat(alice.node().networkInterface()).isNull();
    assertThat(alice.events(NodeEvent.ServerStatus.class))
        .anySatisfy(s -> assertThat(s.status()).isEqualTo("registered"));
    // The server probed alice's listener on loopback, and said so.
    assertThat(alice.events(NodeEvent.ServerStatus.class))
        .anySatisfy(
            s ->
                assertThat(s.message())
                    .contains("it reached our port " + alice.node().tcpPort() + " directly"));

    alice.node().send(bobName, "over the internet").get();
    bob.node().send(aliceName, "and back").get();
    await().atMost(WAIT).until(() -> bob.received().contains("over the internet"));
    await().atMost(WAIT).until(() -> alice.received().contains("and back"));

    bob.node().stop();
    await().atMost(WAIT).until(() -> !alice.sees(bobName));
  }

  @Test
  void nodesSeeEachOtherWithTheIdsTheirKeysProveAndTheirCaps(@TempDir Path dir) throws Exception {
    startServer(0);
    String aliceName = nodes.nick("alice");
    String bobName = nodes.nick("bob");
    // The nodes load these identities from their data directories.
    Identity aliceIdentity = Identity.loadOrCreate(dir.resolve("alice"));
    Identity bobIdentity = Identity.loadOrCreate(dir.resolve("bob"));
    TestNodes.Started alice =
        nodes.start(internetOptions(aliceName).dataDir(dir.resolve("alice")).build());
    TestNodes.Started bob =
        nodes.start(internetOptions(bobName).dataDir(dir.resolve("bob")).build());

    await().atMost(WAIT).until(() -> alice.sees(bobName) && bob.sees(aliceName));
    assertThat(alice.node().peers())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.id()).isEqualTo(bobIdentity.id());
              assertThat(p.caps())
                  .containsExactlyInAnyOrder("tls", "ack", "mail", "relay", "punch");
              assertThat(p.source()).isEqualTo(Peer.INTERNET);
            });
    assertThat(bob.node().peers())
        .singleElement()
        .satisfies(p -> assertThat(p.id()).isEqualTo(aliceIdentity.id()));
    assertThat(server.registry().lookup(aliceName).orElseThrow().id())
        .isEqualTo(aliceIdentity.id().value());
  }

  @Test
  void whenTheServerGoesAwayKnownPeersStayUsableAndBothRegisterAgainWhenItReturns()
      throws Exception {
    startServer(0);
    int port = server.port();
    String aliceName = nodes.nick("alice");
    String bobName = nodes.nick("bob");
    TestNodes.Started alice = internetPeer(aliceName, false);
    TestNodes.Started bob = internetPeer(bobName, false);
    await().atMost(WAIT).until(() -> alice.sees(bobName) && bob.sees(aliceName));

    server.stop();
    await()
        .atMost(WAIT)
        .until(
            () ->
                alice.events(NodeEvent.ServerStatus.class).stream()
                    .anyMatch(s -> s.status().equals("disconnected")));
    alice.node().send(bobName, "while the server is down").get();
    await().atMost(WAIT).until(() -> bob.received().contains("while the server is down"));

    startServer(port);
    await().atMost(WAIT).until(() -> server.registry().size() == 2);
    // The server may count both before alice's listener hears its own "registered".
    await()
        .atMost(WAIT)
        .until(
            () ->
                alice.events(NodeEvent.ServerStatus.class).stream()
                        .filter(s -> s.status().equals("registered"))
                        .count()
                    == 2);
    List<NodeEvent.ServerStatus> statuses = alice.events(NodeEvent.ServerStatus.class);
    assertThat(statuses.stream().filter(s -> s.status().equals("disconnected"))).hasSize(1);
    assertThat(statuses.stream().filter(s -> s.status().equals("registered"))).hasSize(2);
  }

  @Test
  void aTakenNicknameIsReportedAsRefused() throws Exception {
    startServer(0);
    String name = nodes.nick("carol");
    internetPeer(name, false);
    await().atMost(WAIT).until(() -> server.registry().lookup(name).isPresent());
    TestNodes.Started second = internetPeer(name, false);
    await()
        .atMost(WAIT)
        .until(
            () ->
                second.events(NodeEvent.ServerStatus.class).stream()
                    .anyMatch(
                        s ->
                            s.status().equals("refused")
                                && s.message().contains("already registered")));
  }

  @Test
  void inBothModesLanAndInternetPeersShareOneList() throws Exception {
    startServer(0);
    String aliceName = nodes.nick("alice");
    String bobName = nodes.nick("bob");
    String carolName = nodes.nick("carol");
    TestNodes.Started alice = internetPeer(aliceName, true);
    internetPeer(bobName, false);
    nodes.start(nodes.options(carolName).build());

    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(alice.node().peers())
                    .extracting(Peer::nickname, Peer::source)
                    .contains(
                        org.assertj.core.groups.Tuple.tuple(bobName, Peer.INTERNET),
                        org.assertj.core.groups.Tuple.tuple(carolName, Peer.LAN)));
  }
}
