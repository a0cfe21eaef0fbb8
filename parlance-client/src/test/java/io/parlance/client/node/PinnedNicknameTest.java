package io.parlance.client.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.parlance.client.delivery.Outgoing;
import io.parlance.client.peer.Peer;
import io.parlance.client.security.Identity;
import io.parlance.client.security.SignedDiscovery;
import io.parlance.client.store.DeliveryState;
import io.parlance.client.testing.TestNodes;
import io.parlance.client.testing.TestNodes.Started;
import io.parlance.protocol.json.WireJson;
import io.parlance.protocol.wire.Announce;
import io.parlance.protocol.wire.Goodbye;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.DatagramPacket;
import java.net.InetSocketAddress;
import java.net.MulticastSocket;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 22, item 1: a nickname pinned to a key never silently resolves to a plain peer or a peer
 * with another key, whether the impostor came by a LAN announce or from a bootstrap server's list.
 * The attacks are replayed against real nodes on loopback; the attacker is a plain TCP listener
 * that counts every connection and line it gets.
 */
class PinnedNicknameTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final int ATTEMPTS = 40;

  private final TestNodes nodes = new TestNodes();
  private final List<String> stolen = new CopyOnWriteArrayList<>();
  private final AtomicInteger connections = new AtomicInteger();

  @TempDir Path dir;

  @AfterEach
  void stop() {
    nodes.close();
  }

  @Test
  void aPlainAnnounceOfAPinnedNicknameWhileItsPeerIsAwayGetsNoMessageButAnExplicitChoiceDoes()
      throws Exception {
    String aliceName = nodes.nick("alice");
    Started bob = nodes.start(nodes.nick("bob"));
    Started alice = nodes.start(nodes.options(aliceName).dataDir(dir.resolve("alice")).build());
    await().atMost(WAIT).until(() -> bob.sees(aliceName));
    bob.node().send(aliceName, "hello").get(10, TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> alice.received().contains("hello"));
    alice.node().stop(); // says goodbye
    await().atMost(WAIT).until(() -> !bob.sees(aliceName));

    try (ServerSocket attacker = attacker();
        MulticastSocket lan = lanSocket()) {
      // The attack of the issue: one unsigned announce of alice, pointing at the attacker.
      send(lan, new Announce(aliceName, attacker.getLocalPort()));
      await().atMost(WAIT).until(() -> bob.sees(aliceName));
      Peer impostor = bob.node().directory().byNickname(aliceName).get(0);
      assertThat(impostor.id()).isNull();

      for (int i = 0; i < ATTEMPTS; i++) {
        int n = i;
        assertThatThrownBy(
                () -> bob.node().send(aliceName, "secret " + n).get(10, TimeUnit.SECONDS))
            .isInstanceOf(ExecutionException.class)
            .cause()
            .isInstanceOf(SendException.class)
            .satisfies(
                e -> {
                  SendException refused = (SendException) e;
                  assertThat(refused.reason()).isEqualTo(SendException.Reason.UNTRUSTED);
                  assertThat(refused.getMessage())
                      .contains(alice.node().identity().id().toString())
                      .contains("a plain peer")
                      .contains("/send " + impostor.qualifiedName());
                });
      }
      // The user was told each time, as an event too.
      // Events reach listeners on their own thread: wait for the last of them.
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> assertThat(bob.events(NodeEvent.SendFailed.class)).hasSize(ATTEMPTS));

      // An explicit choice of the plain peer still reaches it: plain peers keep working.
      bob.node().send(impostor.qualifiedName(), "to whoever you are").get(10, TimeUnit.SECONDS);
      await().atMost(WAIT).until(() -> stolen.size() == 1);
      assertThat(stolen.get(0)).contains("to whoever you are");
      assertThat(String.join("\n", stolen)).doesNotContain("secret");
    }
  }

  @Test
  void whilePinnedAliceIsOnlineAReplayedGoodbyeAndAPlainNamesakeGetNothingAndSheGetsEverything()
      throws Exception {
    String aliceName = nodes.nick("alice");
    Path aliceDir = dir.resolve("alice");
    // A goodbye signed by alice when she left before, recorded, and replayed after her announces.
    Goodbye recorded =
        new SignedDiscovery(Identity.loadOrCreate(aliceDir), List.of("tls", "ack"))
            .goodbye(aliceName);
    Started bob = nodes.start(nodes.nick("bob"));
    Started alice = nodes.start(nodes.options(aliceName).dataDir(aliceDir).build());
    await().atMost(WAIT).until(() -> bob.sees(aliceName));
    Peer real = bob.node().resolve(aliceName);
    assertThat(real.id()).isEqualTo(alice.node().identity().id());

    try (ServerSocket attacker = attacker();
        MulticastSocket lan = lanSocket()) {
      for (int i = 0; i < ATTEMPTS; i++) {
        send(lan, recorded);
        send(lan, new Announce(aliceName, attacker.getLocalPort()));
        bob.node().send(aliceName, "for alice " + i).get(10, TimeUnit.SECONDS);
      }
      await()
          .atMost(WAIT)
          .until(
              () ->
                  alice.received().stream().filter(t -> t.startsWith("for alice")).count()
                      == ATTEMPTS);
      assertThat(bob.node().directory().byNickname(aliceName)).contains(real);
    }
    assertThat(stolen).isEmpty();
    assertThat(connections.get()).isZero();
  }

  @Test
  void aPlainPeerFromTheBootstrapServerUnderAPinnedNicknameIsRefusedToo() throws Exception {
    String aliceName = nodes.nick("alice");
    Started bob = nodes.start(nodes.nick("bob"));
    Started alice = nodes.start(aliceName);
    await().atMost(WAIT).until(() -> bob.sees(aliceName));
    bob.node().send(aliceName, "hello").get(10, TimeUnit.SECONDS);
    alice.node().stop();
    await().atMost(WAIT).until(() -> !bob.sees(aliceName));

    try (ServerSocket attacker = attacker()) {
      // What InternetDiscovery does with a plain registration of "alice" the server lists.
      bob.node()
          .directory()
          .upsert(
              new Peer(
                  aliceName,
                  new InetSocketAddress("127.0.0.1", attacker.getLocalPort()),
                  Peer.INTERNET));
      assertThatThrownBy(() -> bob.node().send(aliceName, "secret").get(10, TimeUnit.SECONDS))
          .cause()
          .isInstanceOf(SendException.class)
          .hasMessageContaining("no peer online proves it");
    }
    assertThat(connections.get()).isZero();
  }

  @Test
  void aMessageToAnAbsentPinnedPeerWaitsForItsKeyNotForAPlainNamesake() throws Exception {
    String aliceName = nodes.nick("alice");
    Started bob = nodes.start(nodes.options(nodes.nick("bob")).dataDir(dir.resolve("bob")).build());
    Started alice = nodes.start(nodes.options(aliceName).dataDir(dir.resolve("alice")).build());
    await().atMost(WAIT).until(() -> bob.sees(aliceName));
    String aliceId = alice.node().identity().id().value();
    bob.node().send(aliceName, "hello").get(10, TimeUnit.SECONDS);
    alice.node().stop();
    await().atMost(WAIT).until(() -> !bob.sees(aliceName));

    try (ServerSocket attacker = attacker();
        MulticastSocket lan = lanSocket()) {
      // A plain "alice" message first, so a plain conversation of that nickname is the latest.
      try (Socket plain = new Socket("127.0.0.1", bob.node().tcpPort())) {
        plain
            .getOutputStream()
            .write(
                ("{\"from\":\"" + aliceName + "\",\"content\":\"spoof\",\"timestamp\":1}\n")
                    .getBytes(StandardCharsets.UTF_8));
      }
      await().atMost(WAIT).until(() -> bob.received().contains("spoof"));

      Outgoing queued = bob.node().send(aliceName, "while you were away").get(10, TimeUnit.SECONDS);
      assertThat(queued.state()).isEqualTo(DeliveryState.QUEUED);
      assertThat(bob.events(NodeEvent.Delivery.class))
          .anySatisfy(d -> assertThat(d.peerKey()).isEqualTo(aliceId));

      send(lan, new Announce(aliceName, attacker.getLocalPort()));
      await().atMost(WAIT).until(() -> bob.sees(aliceName));

      Started back = nodes.start(nodes.options(aliceName).dataDir(dir.resolve("alice")).build());
      await().atMost(WAIT).until(() -> back.received().contains("while you were away"));
    }
    assertThat(connections.get()).isZero();
  }

  /** A plain listener that records every line it is sent. */
  private ServerSocket attacker() throws Exception {
    ServerSocket server = new ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"));
    Thread t =
        new Thread(
            () -> {
              while (!server.isClosed()) {
                try {
                  Socket s = server.accept();
                  connections.incrementAndGet();
                  Thread reader =
                      new Thread(
                          () -> {
                            try (s;
                                BufferedReader in =
                                    new BufferedReader(
                                        new InputStreamReader(
                                            s.getInputStream(), StandardCharsets.UTF_8))) {
                              for (String line; (line = in.readLine()) != null; ) {
                                stolen.add(line);
                              }
                            } catch (Exception ignored) {
                              // the test ends or the sender closed
                            }
                          });
                  reader.setDaemon(true);
                  reader.start();
                } catch (Exception e) {
                  return;
                }
              }
            });
    t.setDaemon(true);
    t.start();
    return server;
  }

  /** A socket on lo sending to the test's multicast group on lo only, never joined. */
  private static MulticastSocket lanSocket() throws Exception {
    MulticastSocket socket = new MulticastSocket(new InetSocketAddress("127.0.0.1", 0));
    socket.setNetworkInterface(NetworkInterface.getByName(TestNodes.LOOPBACK));
    socket.setTimeToLive(1);
    return socket;
  }

  private void send(MulticastSocket socket, Object message) throws Exception {
    byte[] bytes = WireJson.toBytes(message);
    socket.send(
        new DatagramPacket(
            bytes, bytes.length, new InetSocketAddress("239.255.255.250", nodes.multicastPort())));
  }
}
