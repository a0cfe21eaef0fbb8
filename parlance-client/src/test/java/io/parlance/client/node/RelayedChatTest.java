package io.parlance.client.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.parlance.bootstrap.BootstrapServer;
import io.parlance.bootstrap.BootstrapServerConfig;
import io.parlance.client.delivery.Outgoing;
import io.parlance.client.peer.Peer;
import io.parlance.client.store.DeliveryState;
import io.parlance.client.testing.TestNodes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real nodes that cannot connect to each other (each registers a port nothing listens on, so
 * the server's probe says {@code reachable:false} and a direct connect is refused) chat through the
 * bootstrap server's relay, with TLS end to end inside the relayed bytes.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RelayedChatTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir Path dir;
  private final TestNodes nodes = new TestNodes();
  private final List<AutoCloseable> open = new CopyOnWriteArrayList<>();
  private BootstrapServer server;

  @AfterEach
  void stopAll() throws Exception {
    nodes.close();
    for (AutoCloseable c : open) {
      c.close();
    }
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

  /** A port on loopback nothing listens on. */
  private static int deadPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private TestNodes.Started unreachablePeer(String base, int serverPort) throws Exception {
    return unreachablePeer(base, serverPort, deadPort());
  }

  private TestNodes.Started unreachablePeer(String base, int serverPort, int advertised)
      throws Exception {
    return nodes.start(
        nodes
            .options(nodes.nick(base))
            .dataDir(dir.resolve(base))
            .lanDiscovery(false)
            .bootstrapServer("ws://127.0.0.1:" + serverPort)
            .advertisedTcpPort(advertised)
            // On loopback there is no NAT to punch through; NatLabIT covers hole punching.
            .holePunching(false)
            .maxRetryDelay(Duration.ofSeconds(1))
            .relayRetryDirect(Duration.ofMillis(500))
            .build());
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
  void peersThatCannotConnectChatBothWaysThroughTheRelayWithAcksAndItSeesNoText() throws Exception {
    startServer(0);
    Tap tap = new Tap(server.port());
    open.add(tap);
    String aliceName = nodes.nick("alice");
    String bobName = nodes.nick("bob");
    TestNodes.Started alice = unreachablePeer("alice", tap.port());
    TestNodes.Started bob = unreachablePeer("bob", tap.port());
    await().atMost(WAIT).until(() -> alice.sees(bobName) && bob.sees(aliceName));
    assertThat(peer(alice, bobName).caps()).contains("relay");

    String there = "secret-words-over-the-relay-" + System.nanoTime();
    String back = "and-secret-words-back-" + System.nanoTime();
    Outgoing out = alice.node().send(bobName, there).get(10, TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> bob.received().contains(there));
    await().atMost(WAIT).until(() -> delivered(alice, out.id()));
    Outgoing reply = bob.node().send(aliceName, back).get(10, TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> alice.received().contains(back));
    await().atMost(WAIT).until(() -> delivered(bob, reply.id()));

    assertThat(alice.node().pathTo(peer(alice, bobName)))
        .hasValue("relayed via 127.0.0.1:" + tap.port());
    assertThat(bob.node().pathTo(peer(bob, aliceName)))
        .hasValue("relayed via 127.0.0.1:" + tap.port());
    // The tap saw the relayed sessions (the server's relay_paired, unmasked), never the text.
    String seen = tap.seen();
    assertThat(seen).contains("relay_paired");
    assertThat(seen).doesNotContain(there).doesNotContain(back);
  }

  @Test
  void killingTheServerMidStreamLosesAndDuplicatesNothingOnceItIsBack() throws Exception {
    startServer(0);
    int port = server.port();
    String aliceName = nodes.nick("alice");
    String bobName = nodes.nick("bob");
    TestNodes.Started alice = unreachablePeer("alice", port);
    TestNodes.Started bob = unreachablePeer("bob", port);
    await().atMost(WAIT).until(() -> alice.sees(bobName) && bob.sees(aliceName));

    int count = 2_000;
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      expected.add("m" + i);
    }
    for (String text : expected.subList(0, count / 2)) {
      alice.node().send(bobName, text);
    }
    await().atMost(WAIT).until(() -> bob.received().size() >= 50);
    server.stop();
    server = null;
    for (String text : expected.subList(count / 2, count)) {
      alice.node().send(bobName, text);
    }
    startServer(port);

    await().atMost(Duration.ofSeconds(90)).until(() -> bob.received().size() >= count);
    assertThat(bob.received()).containsExactlyElementsOf(expected);
  }

  @Test
  void aRelayedConversationMovesToDirectMidStreamWithNothingLostOrDuplicated() throws Exception {
    startServer(0);
    String aliceName = nodes.nick("alice");
    String bobName = nodes.nick("bob");
    int bobAdvertised = deadPort();
    TestNodes.Started alice = unreachablePeer("alice", server.port());
    TestNodes.Started bob = unreachablePeer("bob", server.port(), bobAdvertised);
    await().atMost(WAIT).until(() -> alice.sees(bobName) && bob.sees(aliceName));

    int count = 2_000;
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      expected.add("p" + i);
    }
    for (String text : expected.subList(0, count / 2)) {
      alice.node().send(bobName, text);
    }
    await().atMost(WAIT).until(() -> bob.received().size() >= 50);
    assertThat(alice.node().pathTo(peer(alice, bobName)))
        .hasValueSatisfying(path -> assertThat(path).startsWith("relayed via"));
    // Bob's advertised port now leads to him: the direct path works from here on.
    Tap forward = new Tap(bobAdvertised, bob.node().tcpPort());
    open.add(forward);
    for (String text : expected.subList(count / 2, count)) {
      alice.node().send(bobName, text);
    }
    await().atMost(Duration.ofSeconds(60)).until(() -> bob.received().size() >= count);
    assertThat(bob.received()).containsExactlyElementsOf(expected);
    await()
        .atMost(WAIT)
        .until(() -> alice.node().pathTo(peer(alice, bobName)).orElse("").equals("direct"));
  }

  @Test
  void aRelayedConversationWithNothingLeftToSendIsCalledDirectOnceTheDirectPathWorks()
      throws Exception {
    startServer(0);
    String aliceName = nodes.nick("alice");
    String bobName = nodes.nick("bob");
    int bobAdvertised = deadPort();
    TestNodes.Started alice = unreachablePeer("alice", server.port());
    TestNodes.Started bob = unreachablePeer("bob", server.port(), bobAdvertised);
    await().atMost(WAIT).until(() -> alice.sees(bobName) && bob.sees(aliceName));

    alice.node().send(bobName, "over the relay");
    await().atMost(WAIT).until(() -> bob.received().size() == 1);
    assertThat(alice.node().pathTo(peer(alice, bobName)))
        .hasValueSatisfying(path -> assertThat(path).startsWith("relayed via"));
    // Nothing more is sent: only the relay's own retry of the direct path finds it open.
    open.add(new Tap(bobAdvertised, bob.node().tcpPort()));
    await()
        .atMost(WAIT)
        .until(() -> alice.node().pathTo(peer(alice, bobName)).orElse("").equals("direct"));
    assertThat(bob.received()).containsExactly("over the relay");
  }

  /** A TCP forwarder on loopback that keeps every byte the server sent. */
  private static final class Tap implements AutoCloseable {
    private final ServerSocket listener;
    private final ByteArrayOutputStream fromServer = new ByteArrayOutputStream();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    Tap(int serverPort) throws IOException {
      this(0, serverPort);
    }

    Tap(int listenPort, int serverPort) throws IOException {
      listener = new ServerSocket(listenPort, 50, InetAddress.getLoopbackAddress());
      Thread accept =
          new Thread(
              () -> {
                while (!listener.isClosed()) {
                  try {
                    Socket client = listener.accept();
                    Socket upstream = new Socket();
                    upstream.connect(
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), serverPort), 5_000);
                    sockets.add(client);
                    sockets.add(upstream);
                    pump(client.getInputStream(), upstream.getOutputStream(), null, upstream);
                    pump(upstream.getInputStream(), client.getOutputStream(), fromServer, client);
                  } catch (IOException e) {
                    return;
                  }
                }
              },
              "tap-accept");
      accept.setDaemon(true);
      accept.start();
    }

    private static void pump(
        InputStream in, OutputStream out, ByteArrayOutputStream record, Socket closeAfter) {
      Thread t =
          new Thread(
              () -> {
                byte[] buf = new byte[16 * 1024];
                try {
                  int n;
                  while ((n = in.read(buf)) > 0) {
                    if (record != null) {
                      synchronized (record) {
                        record.write(buf, 0, n);
                      }
                    }
                    out.write(buf, 0, n);
                  }
                } catch (IOException e) {
                  // the other side closed
                } finally {
                  try {
                    closeAfter.close();
                  } catch (IOException ignored) {
                    // closing anyway
                  }
                }
              },
              "tap-pump");
      t.setDaemon(true);
      t.start();
    }

    int port() {
      return listener.getLocalPort();
    }

    String seen() {
      synchronized (fromServer) {
        return fromServer.toString(StandardCharsets.ISO_8859_1);
      }
    }

    @Override
    public void close() throws IOException {
      listener.close();
      for (Socket s : sockets) {
        s.close();
      }
    }
  }
}
