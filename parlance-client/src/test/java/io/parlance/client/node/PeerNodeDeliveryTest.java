package io.parlance.client.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.parlance.client.delivery.Outgoing;
import io.parlance.client.peer.Peer;
import io.parlance.client.security.Identity;
import io.parlance.client.store.DeliveryState;
import io.parlance.client.store.Direction;
import io.parlance.client.store.MessageStore;
import io.parlance.client.store.StoreException;
import io.parlance.client.store.StoredMessage;
import io.parlance.client.testing.TestNodes;
import io.parlance.client.testing.TestNodes.Started;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Acknowledgements, the outbox, re-sends, de-duplication and order, between real nodes. */
class PeerNodeDeliveryTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private final TestNodes nodes = new TestNodes();
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    nodes.close();
    for (AutoCloseable c : open) {
      c.close();
    }
  }

  private NodeOptions.Builder options(String base) {
    return nodes.options(nodes.nick(base)).dataDir(dir.resolve(base));
  }

  private static List<DeliveryState> states(Started node, String id) {
    return node.events(NodeEvent.Delivery.class).stream()
        .filter(d -> d.id().equals(id))
        .map(NodeEvent.Delivery::state)
        .toList();
  }

  private static boolean delivered(Started node, String id) {
    return states(node, id).contains(DeliveryState.DELIVERED);
  }

  @Test
  void ourMessagesAreQueuedSentThenDeliveredAndKeptOnBothSides() throws Exception {
    Started alice = nodes.start(options("alice").build());
    Started bob = nodes.start(options("bob").build());
    await()
        .atMost(WAIT)
        .until(() -> alice.sees(nodes.nick("bob")) && bob.sees(nodes.nick("alice")));

    List<String> ids = new ArrayList<>();
    for (String text : List.of("one", "two", "three")) {
      Outgoing out = alice.node().send(nodes.nick("bob"), text).get(5, TimeUnit.SECONDS);
      assertThat(out.state()).isEqualTo(DeliveryState.SENT);
      assertThat(out.key()).isEqualTo(bob.node().identity().id().value());
      ids.add(out.id());
    }
    await().atMost(WAIT).until(() -> ids.stream().allMatch(id -> delivered(alice, id)));

    for (String id : ids) {
      assertThat(states(alice, id))
          .containsExactly(DeliveryState.QUEUED, DeliveryState.SENT, DeliveryState.DELIVERED);
    }
    assertThat(alice.events(NodeEvent.MessageSent.class))
        .extracting(NodeEvent.MessageSent::id)
        .containsExactlyElementsOf(ids);
    assertThat(alice.node().history(nodes.nick("bob"), 10).get(5, TimeUnit.SECONDS))
        .extracting(StoredMessage::content, StoredMessage::state)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("one", DeliveryState.DELIVERED),
            org.assertj.core.groups.Tuple.tuple("two", DeliveryState.DELIVERED),
            org.assertj.core.groups.Tuple.tuple("three", DeliveryState.DELIVERED));
    List<StoredMessage> kept = bob.node().history(nodes.nick("alice"), 10).get(5, TimeUnit.SECONDS);
    assertThat(kept).extracting(StoredMessage::id).containsExactlyElementsOf(ids);
    assertThat(kept)
        .allSatisfy(
            m -> {
              assertThat(m.direction()).isEqualTo(Direction.IN);
              assertThat(m.state()).isEqualTo(DeliveryState.RECEIVED);
              assertThat(m.peer()).isEqualTo(alice.node().identity().id().value());
            });
    assertThat(bob.received()).containsExactly("one", "two", "three");
    assertThat(alice.node().search("two", 10).get(5, TimeUnit.SECONDS))
        .extracting(StoredMessage::id)
        .containsExactly(ids.get(1));
  }

  @Test
  void aPeerSeenBeforeGetsWhatWasQueuedWhileItWasAwayAfterBothRestart() throws Exception {
    Started alice = nodes.start(options("alice").build());
    Started bob = nodes.start(options("bob").build());
    await().atMost(WAIT).until(() -> alice.sees(nodes.nick("bob")));
    String first = alice.node().send(nodes.nick("bob"), "before").get(5, TimeUnit.SECONDS).id();
    await().atMost(WAIT).until(() -> delivered(alice, first));

    bob.node().stop();
    await().atMost(WAIT).until(() -> !alice.sees(nodes.nick("bob")));
    List<String> queued = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      Outgoing out =
          alice.node().send(nodes.nick("bob"), "while away " + i).get(5, TimeUnit.SECONDS);
      assertThat(out.state()).isEqualTo(DeliveryState.QUEUED);
      assertThat(out.note()).contains("not online");
      queued.add(out.id());
    }
    alice.node().stop();

    // Alice comes back first (her outbox is on disk), then Bob.
    Started alice2 = nodes.start(options("alice").build());
    Started bob2 = nodes.start(options("bob").build());
    await().atMost(WAIT).until(() -> queued.stream().allMatch(id -> delivered(alice2, id)));
    await().atMost(WAIT).until(() -> bob2.received().size() == 5);

    assertThat(bob2.received())
        .containsExactly(
            "while away 0", "while away 1", "while away 2", "while away 3", "while away 4");
    assertThat(bob2.node().history(nodes.nick("alice"), 100).get(5, TimeUnit.SECONDS))
        .extracting(StoredMessage::content)
        .containsExactly(
            "before",
            "while away 0",
            "while away 1",
            "while away 2",
            "while away 3",
            "while away 4");
  }

  @Test
  void anOutboxLongerThanMemoryHoldsIsReadInPagesAndDeliveredInOrder() throws Exception {
    Started alice = nodes.start(options("alice").build());
    Started bob = nodes.start(options("bob").build());
    await().atMost(WAIT).until(() -> alice.sees(nodes.nick("bob")));
    alice.node().send(nodes.nick("bob"), "hello").get(5, TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> bob.received().size() == 1);
    bob.node().stop();
    await().atMost(WAIT).until(() -> !alice.sees(nodes.nick("bob")));

    int count = 2_500; // more than two pages of 1,024
    List<java.util.concurrent.CompletableFuture<Outgoing>> sends = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      sends.add(alice.node().send(nodes.nick("bob"), "q" + i));
    }
    for (var f : sends) {
      assertThat(f.get(10, TimeUnit.SECONDS).state()).isEqualTo(DeliveryState.QUEUED);
    }
    Started bob2 = nodes.start(options("bob").build());

    await().atMost(Duration.ofSeconds(60)).until(() -> bob2.received().size() == count);
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      expected.add("q" + i);
    }
    assertThat(bob2.received()).containsExactlyElementsOf(expected);
  }

  @Test
  void aNicknameNeverSeenIsAnErrorAndNothingIsStored() throws Exception {
    Started alice = nodes.start(options("alice").build());
    assertThatThrownBy(() -> alice.node().send("stranger", "hi").get(5, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(SendException.class)
        .hasMessageContaining("no peer called stranger is online or known");
    assertThat(alice.node().history("stranger", 10).get(5, TimeUnit.SECONDS)).isEmpty();
    await().atMost(WAIT).until(() -> !alice.events(NodeEvent.SendFailed.class).isEmpty());
  }

  @Test
  void theReceiverStoresOnceAcknowledgesEveryCopyAndShowsNoDuplicate() throws Exception {
    Started bob = nodes.start(options("bob").build());
    try (Socket s = new Socket("127.0.0.1", bob.node().tcpPort())) {
      BufferedReader in =
          new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
      OutputStream out = s.getOutputStream();
      out.write(line("plain, no id", null));
      out.write(line("first", "m-1"));
      out.write(line("first", "m-1"));
      out.write(line("second", "m-2"));
      out.flush();

      // The plain line gets no ack: the first ack answers m-1.
      assertThat(in.readLine()).isEqualTo("{\"type\":\"ack\",\"id\":\"m-1\"}");
      assertThat(in.readLine()).isEqualTo("{\"type\":\"ack\",\"id\":\"m-1\"}");
      assertThat(in.readLine()).isEqualTo("{\"type\":\"ack\",\"id\":\"m-2\"}");
    }
    await().atMost(WAIT).until(() -> bob.received().size() == 3);
    assertThat(bob.received()).containsExactly("plain, no id", "first", "second");
    assertThat(bob.node().history("rusty", 10).get(5, TimeUnit.SECONDS))
        .extracting(StoredMessage::content)
        .containsExactly("plain, no id", "first", "second");
  }

  private static byte[] line(String content, String id) {
    return ("{\"from\":\"rusty\",\"content\":\""
            + content
            + "\",\"timestamp\":1"
            + (id == null ? "" : ",\"id\":\"" + id + "\"")
            + "}\n")
        .getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aPlainPeerGetsNoIdAndItsMessageLeavesTheOutboxOnceWritten() throws Exception {
    Started alice = nodes.start(options("alice").build());
    try (FakePeer plain = new FakePeer()) {
      alice.node().directory().upsert("rusty", plain.address(), Peer.LAN);

      Outgoing out = alice.node().send("rusty", "hi rust").get(5, TimeUnit.SECONDS);

      assertThat(out.state()).isEqualTo(DeliveryState.SENT);
      JsonNode got = plain.next();
      assertThat(got.has("id")).isFalse();
      assertThat(got.path("content").asText()).isEqualTo("hi rust");
      await().atMost(WAIT).until(() -> states(alice, out.id()).contains(DeliveryState.SENT));
      await()
          .atMost(WAIT)
          .until(() -> alice.node().history("rusty", 1).get().get(0).state() == DeliveryState.SENT);
      alice.node().stop();
      try (MessageStore store =
          MessageStore.openReadOnly(dir.resolve("alice").resolve(MessageStore.FILE))) {
        assertThat(store.outbox("rusty", 10)).isEmpty();
        assertThat(store.history("rusty", 10).get(0).state()).isEqualTo(DeliveryState.SENT);
      }
    }
    assertThat(states(alice, "x")).isEmpty();
  }

  @Test
  void anUnacknowledgedMessageIsSentAgainUntilTheAckComes() throws Exception {
    Started alice = nodes.start(options("alice").ackTimeout(Duration.ofMillis(200)).build());
    try (FakePeer peer = new FakePeer()) {
      alice.node().directory().upsert(peer.asAckPeer("carol"));

      Outgoing out = alice.node().send("carol", "are you there?").get(5, TimeUnit.SECONDS);
      JsonNode first = peer.next();
      JsonNode again = peer.next(); // no ack: it comes again after the timeout
      peer.ack(again.path("id").asText());

      assertThat(first.path("id").asText()).isEqualTo(out.id());
      assertThat(again).isEqualTo(first);
      await().atMost(WAIT).until(() -> delivered(alice, out.id()));
      assertThat(states(alice, out.id()))
          .containsExactly(DeliveryState.QUEUED, DeliveryState.SENT, DeliveryState.DELIVERED);
    }
  }

  @Test
  void afterABrokenConnectionSendingResumesFromTheOldestUnacknowledgedInOrder() throws Exception {
    Started alice = nodes.start(options("alice").ackTimeout(Duration.ofSeconds(30)).build());
    try (FakePeer peer = new FakePeer()) {
      alice.node().directory().upsert(peer.asAckPeer("carol"));
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        ids.add(alice.node().send("carol", "m" + i).get(5, TimeUnit.SECONDS).id());
      }
      for (int i = 0; i < 10; i++) {
        assertThat(peer.next().path("id").asText()).isEqualTo(ids.get(i));
      }
      peer.ack(ids.get(0));
      peer.ack(ids.get(1));
      peer.ack(ids.get(2));
      await().atMost(WAIT).until(() -> delivered(alice, ids.get(2)));
      peer.dropConnection();

      // The next message finds the connection broken; everything unacknowledged goes again,
      // oldest first, before it.
      ids.add(alice.node().send("carol", "m10").get(5, TimeUnit.SECONDS).id());
      List<String> resent = new ArrayList<>();
      while (resent.size() < 8) {
        String id = peer.next().path("id").asText();
        resent.add(id);
        peer.ack(id);
      }
      assertThat(resent).containsExactlyElementsOf(ids.subList(3, 11));
      await().atMost(WAIT).until(() -> ids.stream().allMatch(id -> delivered(alice, id)));
    }
  }

  @Test
  void onlyThePeerAMessageWentToCanAcknowledgeIt() throws Exception {
    Started alice = nodes.start(options("alice").ackTimeout(Duration.ofSeconds(30)).build());
    try (FakePeer carol = new FakePeer();
        FakePeer mallory = new FakePeer()) {
      alice.node().directory().upsert(carol.asAckPeer("carol"));
      alice.node().directory().upsert(mallory.asAckPeer("mallory"));
      String forCarol = alice.node().send("carol", "for carol").get(5, TimeUnit.SECONDS).id();
      String forMallory = alice.node().send("mallory", "for mallory").get(5, TimeUnit.SECONDS).id();
      carol.next();
      mallory.next();

      mallory.ack(forCarol); // not hers to acknowledge: ignored
      mallory.ack("made-up");
      mallory.ack(forMallory);
      await().atMost(WAIT).until(() -> delivered(alice, forMallory));
      assertThat(delivered(alice, forCarol)).isFalse();

      carol.ack(forCarol);
      await().atMost(WAIT).until(() -> delivered(alice, forCarol));
    }
  }

  @Test
  void aCorruptStoreStopsTheStartWithAClearMessageAndIsLeftAsItWas() throws Exception {
    Path profile = Files.createDirectories(dir.resolve("broken"));
    byte[] garbage = "not a database, but someone's outbox".repeat(200).getBytes();
    Files.write(profile.resolve(MessageStore.FILE), garbage);
    PeerNode node = new PeerNode(nodes.options(nodes.nick("broken")).dataDir(profile).build());

    assertThatThrownBy(node::start)
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("is corrupt")
        .hasMessageContaining(profile.resolve(MessageStore.FILE).toString());
    assertThat(node.isRunning()).isFalse();
    assertThat(Files.readAllBytes(profile.resolve(MessageStore.FILE))).isEqualTo(garbage);
    node.stop();
  }

  @Test
  void aCorruptIdentityStopsTheStartAndTheStoreOpenedBesideItIsClosedAgain() throws Exception {
    Path profile = Files.createDirectories(dir.resolve("no-key"));
    MessageStore.open(profile.resolve(MessageStore.FILE)).close();
    Files.writeString(profile.resolve(Identity.KEY_FILE), "not a key");
    Files.setPosixFilePermissions(
        profile.resolve(Identity.KEY_FILE),
        java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    PeerNode node = new PeerNode(nodes.options(nodes.nick("no-key")).dataDir(profile).build());

    assertThatThrownBy(node::start)
        .hasMessageContaining(Identity.KEY_FILE)
        .hasMessageContaining("corrupt");
    assertThat(node.isRunning()).isFalse();
    // The store opens beside the identity (the directory is there): the failed start closed it.
    String database = profile.toRealPath().resolve(MessageStore.FILE).toString();
    assertThat(openFiles()).noneMatch(f -> f.startsWith(database));
    node.stop();
  }

  /** What this process has open, by path (Linux). */
  private static List<String> openFiles() throws IOException {
    List<String> open = new ArrayList<>();
    try (java.nio.file.DirectoryStream<Path> fds =
        Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
      for (Path fd : fds) {
        try {
          open.add(Files.readSymbolicLink(fd).toString());
        } catch (IOException closedMeanwhile) {
          // the descriptor was closed while listed
        }
      }
    }
    return open;
  }

  @Test
  void aStoreLockedByAnotherProgramStopsTheStart() throws Exception {
    Path profile = Files.createDirectories(dir.resolve("held"));
    MessageStore.open(profile.resolve(MessageStore.FILE)).close();
    PeerNode node = new PeerNode(nodes.options(nodes.nick("held")).dataDir(profile).build());
    try (Connection other =
            DriverManager.getConnection("jdbc:sqlite:" + profile.resolve(MessageStore.FILE));
        Statement s = other.createStatement()) {
      s.execute("BEGIN IMMEDIATE");
      assertThatThrownBy(node::start)
          .isInstanceOf(StoreException.class)
          .hasMessageContaining("is locked by another program");
      s.execute("ROLLBACK");
    }
    assertThat(node.isRunning()).isFalse();
    node.stop();
  }

  /**
   * A peer played by the test on a plain server socket: it reads our lines and acknowledges only
   * what it is told to. Accepts one connection at a time, a new one after the last broke.
   */
  private final class FakePeer implements AutoCloseable {
    private final ServerSocket server =
        new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
    private final BlockingQueue<JsonNode> lines = new LinkedBlockingQueue<>();
    private volatile Socket current;
    private final Thread acceptor;

    FakePeer() throws IOException {
      open.add(this);
      acceptor =
          new Thread(
              () -> {
                while (!server.isClosed()) {
                  try {
                    Socket s = server.accept();
                    current = s;
                    BufferedReader in =
                        new BufferedReader(
                            new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                    for (String l; (l = in.readLine()) != null; ) {
                      lines.add(JSON.readTree(l));
                    }
                  } catch (IOException e) {
                    // closed: accept the next connection
                  }
                }
              },
              "fake-peer");
      acceptor.setDaemon(true);
      acceptor.start();
    }

    InetSocketAddress address() {
      return new InetSocketAddress("127.0.0.1", server.getLocalPort());
    }

    Peer asAckPeer(String nickname) {
      return new Peer(nickname, address(), Peer.LAN, Identity.generate().id(), Set.of("ack"));
    }

    JsonNode next() throws InterruptedException {
      JsonNode line = lines.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(line).as("a line from the node").isNotNull();
      return line;
    }

    void ack(String id) throws IOException {
      Socket s = current;
      s.getOutputStream()
          .write(("{\"type\":\"ack\",\"id\":\"" + id + "\"}\n").getBytes(StandardCharsets.UTF_8));
      s.getOutputStream().flush();
    }

    void dropConnection() throws IOException {
      current.setSoLinger(true, 0);
      current.close();
    }

    @Override
    public void close() throws IOException {
      server.close();
      Socket s = current;
      if (s != null) {
        s.close();
      }
    }
  }
}
