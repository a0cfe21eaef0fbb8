package io.parlance.client.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.parlance.client.delivery.Outgoing;
import io.parlance.client.store.DeliveryState;
import io.parlance.client.testing.TestNodes;
import io.parlance.client.testing.TestNodes.Started;
import io.parlance.protocol.Protocol;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PeerNodeMessagingTest {

  private static final Duration WAIT = Duration.ofSeconds(5);

  private final TestNodes nodes = new TestNodes();

  @AfterEach
  void stopNodes() {
    nodes.close();
  }

  private Started[] pair() throws InterruptedException {
    Started alice = nodes.start(nodes.nick("alice"));
    Started bob = nodes.start(nodes.nick("bob"));
    await()
        .atMost(WAIT)
        .until(() -> alice.sees(nodes.nick("bob")) && bob.sees(nodes.nick("alice")));
    return new Started[] {alice, bob};
  }

  @Test
  void messagesFlowBothWays() throws Exception {
    Started[] p = pair();
    Started alice = p[0];
    Started bob = p[1];

    Outgoing out = alice.node().send(nodes.nick("bob"), "hello bob 😀").get(5, TimeUnit.SECONDS);
    bob.node().send(nodes.nick("alice"), "hi alice").get(5, TimeUnit.SECONDS);

    assertThat(out.state()).isEqualTo(DeliveryState.SENT);
    assertThat(out.peer().address().getPort()).isEqualTo(bob.node().tcpPort());
    await().atMost(WAIT).until(() -> bob.received().contains("hello bob 😀"));
    await().atMost(WAIT).until(() -> alice.received().contains("hi alice"));
    NodeEvent.MessageReceived got = bob.events(NodeEvent.MessageReceived.class).get(0);
    assertThat(got.from()).isEqualTo(nodes.nick("alice"));
    TestNodes.assertLoopback(got.address(), alice.node().tcpPort());
    assertThat(got.timestamp()).isCloseTo(System.currentTimeMillis() / 1000, within(5));
    assertThat(alice.events(NodeEvent.MessageSent.class))
        .singleElement()
        .satisfies(e -> assertThat(e.to().nickname()).isEqualTo(nodes.nick("bob")));
  }

  private static org.assertj.core.data.Offset<Long> within(long n) {
    return org.assertj.core.data.Offset.offset(n);
  }

  @Test
  void oneConnectionCarriesManyMessagesInOrder() throws Exception {
    Started[] p = pair();
    // A burst: the pool flushes the lines in batches; each send still completes on its own.
    List<String> sent = new ArrayList<>();
    List<CompletableFuture<Outgoing>> sends = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      sent.add("m" + i);
      sends.add(p[0].node().send(nodes.nick("bob"), "m" + i));
    }
    CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get(5, TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> p[1].received().size() == 500);

    assertThat(p[1].received()).containsExactlyElementsOf(sent);
    assertThat(sends).allMatch(f -> !f.isCompletedExceptionally());
    assertThat(p[1].node().inboundConnectionsAccepted()).isEqualTo(1);
    assertThat(p[0].node().outboundConnectionsOpened()).isEqualTo(1);
  }

  @Test
  void reconnectsTransparentlyWhenThePeerClosedTheConnection() throws Exception {
    Started alice = nodes.start(nodes.nick("alice"));
    Started bob =
        nodes.start(
            nodes.options(nodes.nick("bob")).inboundIdleTimeout(Duration.ofMillis(300)).build());
    await().atMost(WAIT).until(() -> alice.sees(nodes.nick("bob")));
    alice.node().send(nodes.nick("bob"), "first").get(5, TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> bob.received().contains("first"));

    // Bob closes the idle connection; Alice's pool notices and forgets it.
    await().atMost(WAIT).until(() -> alice.node().pooledConnections() == 0);
    alice.node().send(nodes.nick("bob"), "second").get(5, TimeUnit.SECONDS);

    await().atMost(WAIT).until(() -> bob.received().contains("second"));
    assertThat(bob.node().inboundConnectionsAccepted()).isEqualTo(2);
  }

  @Test
  void broadcastReachesEveryPeer() throws Exception {
    Started alice = nodes.start(nodes.nick("alice"));
    Started bob = nodes.start(nodes.nick("bob"));
    Started carol = nodes.start(nodes.nick("carol"));
    await().atMost(WAIT).until(() -> alice.node().peers().size() == 2);

    List<Outgoing> reached = alice.node().broadcast("hello all").get(5, TimeUnit.SECONDS);

    assertThat(reached)
        .extracting(Outgoing::to)
        .containsExactly(nodes.nick("bob"), nodes.nick("carol"));
    await().atMost(WAIT).until(() -> bob.received().contains("hello all"));
    await().atMost(WAIT).until(() -> carol.received().contains("hello all"));
  }

  @Test
  void aRustStyleSenderThatWritesOneLineAndClosesIsHeard() throws Exception {
    Started alice = nodes.start(nodes.nick("alice"));
    try (Socket socket = new Socket("127.0.0.1", alice.node().tcpPort())) {
      socket
          .getOutputStream()
          .write(
              "{\"from\":\"rusty\",\"content\":\"from rust\",\"timestamp\":1699123456}\n"
                  .getBytes(StandardCharsets.UTF_8));
    }
    await().atMost(WAIT).until(() -> alice.received().contains("from rust"));
    NodeEvent.MessageReceived got = alice.events(NodeEvent.MessageReceived.class).get(0);
    assertThat(got.from()).isEqualTo("rusty");
    assertThat(got.timestamp()).isEqualTo(1699123456L);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"overlong line", "invalid UTF-8", "malformed JSON"})
  void aBadSenderIsCutOffWhileOtherPeersAreStillHeard(String badness) throws Exception {
    Started alice = nodes.start(nodes.options(nodes.nick("alice")).maxLinesPerSecond(100).build());
    Started bob = nodes.start(nodes.nick("bob"));
    await().atMost(WAIT).until(() -> bob.sees(nodes.nick("alice")));
    bob.node().send(nodes.nick("alice"), "before").get(5, TimeUnit.SECONDS);

    try (Socket bad = new Socket("127.0.0.1", alice.node().tcpPort())) {
      bad.setSoTimeout(5000);
      OutputStream out = bad.getOutputStream();
      switch (badness) {
        case "overlong line" -> out.write(new byte[Protocol.MAX_LINE_BYTES + 2]);
        case "invalid UTF-8" -> {
          out.write("{\"from\":\"x\",\"content\":\"".getBytes(StandardCharsets.US_ASCII));
          out.write(new byte[] {(byte) 0xC3, (byte) 0x28});
          out.write("\",\"timestamp\":1}\n".getBytes(StandardCharsets.US_ASCII));
        }
        default -> out.write("{not json}\n".getBytes(StandardCharsets.US_ASCII));
      }
      out.flush();
      assertThat(readUntilClosed(bad.getInputStream())).isTrue();
    }

    bob.node().send(nodes.nick("alice"), "after").get(5, TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> alice.received().contains("after"));
    assertThat(alice.received()).contains("before");
  }

  @Test
  void aFastAcknowledgedSenderIsSlowedToTheReceiversRateAndLosesNothing() throws Exception {
    // bob sends as fast as his own (default) limit lets him; alice takes 100 lines a second.
    Started alice = nodes.start(nodes.options(nodes.nick("alice")).maxLinesPerSecond(100).build());
    Started bob = nodes.start(nodes.nick("bob"));
    await().atMost(WAIT).until(() -> bob.sees(nodes.nick("alice")));
    List<String> sent = new ArrayList<>();
    List<CompletableFuture<Outgoing>> sends = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      sent.add("m" + i);
      sends.add(bob.node().send(nodes.nick("alice"), "m" + i));
    }
    CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(20)).until(() -> alice.received().size() == 400);

    assertThat(alice.received()).containsExactlyElementsOf(sent);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                bob.events(NodeEvent.Delivery.class).stream()
                        .filter(d -> d.state() == DeliveryState.DELIVERED)
                        .count()
                    == 400);
    assertThat(alice.node().inboundConnectionsAccepted()).isEqualTo(1);
    assertThat(bob.node().outboundConnectionsOpened()).isEqualTo(1);
  }

  @Test
  void aFloodingSenderIsSlowedToItsRateNotCutOffAndOtherPeersAreStillHeard() throws Exception {
    Started alice = nodes.start(nodes.options(nodes.nick("alice")).maxLinesPerSecond(100).build());
    Started bob = nodes.start(nodes.nick("bob"));
    await().atMost(WAIT).until(() -> bob.sees(nodes.nick("alice")));
    bob.node().send(nodes.nick("alice"), "before").get(5, TimeUnit.SECONDS);

    try (Socket flood = new Socket("127.0.0.1", alice.node().tcpPort())) {
      OutputStream out = flood.getOutputStream();
      byte[] line =
          "{\"from\":\"flood\",\"content\":\"x\",\"timestamp\":1}\n"
              .getBytes(StandardCharsets.US_ASCII);
      for (int i = 0; i < 500; i++) {
        out.write(line);
      }
      out.flush();

      bob.node().send(nodes.nick("alice"), "during").get(5, TimeUnit.SECONDS);
      await().atMost(Duration.ofSeconds(20)).until(() -> alice.received().contains("during"));
      // 500 lines at 100 a second: slowed (reading paused past the rate), every one stored.
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> alice.received().stream().filter("x"::equals).count() == 500);
      out.write(
          "{\"from\":\"flood\",\"content\":\"still open\",\"timestamp\":1}\n"
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      await().atMost(Duration.ofSeconds(20)).until(() -> alice.received().contains("still open"));
    }
  }

  private static boolean readUntilClosed(InputStream in) throws IOException {
    try {
      while (in.read() >= 0) {
        // keep reading until the peer closes
      }
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset by peer also means closed
    }
  }

  @Test
  void aSendToAPeerThatRefusesIsQueuedWithTheReasonNotLost() throws Exception {
    Started alice = nodes.start(nodes.nick("alice"));
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    alice.node().directory().upsert("ghost", new InetSocketAddress("127.0.0.1", closedPort), "lan");

    CompletableFuture<Outgoing> sent = alice.node().send("ghost", "anyone?");

    Outgoing out = sent.get(10, TimeUnit.SECONDS);
    assertThat(out.state()).isEqualTo(DeliveryState.QUEUED);
    assertThat(out.note()).contains("refused").contains("stays queued");
    assertThat(alice.events(NodeEvent.SendFailed.class)).isEmpty();
    assertThat(alice.node().history("ghost", 10).get(5, TimeUnit.SECONDS))
        .singleElement()
        .satisfies(m -> assertThat(m.state()).isEqualTo(DeliveryState.QUEUED));
  }

  @Test
  void aSendToAnUnknownPeerSaysSo() throws Exception {
    Started alice = nodes.start(nodes.nick("alice"));
    assertThatThrownBy(() -> alice.node().send("nobody", "hi").get(5, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(SendException.class)
        .hasMessage("no peer called nobody is online or known from earlier messages");
  }

  @Test
  void twoPeersWithOneNicknameAreBothListedAndMustBeNamedByAddress() throws Exception {
    String bob = nodes.nick("bob");
    Started alice = nodes.start(nodes.nick("alice"));
    Started bob1 = nodes.start(bob);
    Started bob2 = nodes.start(bob);
    await().atMost(WAIT).until(() -> alice.node().peers().size() == 2);

    assertThatThrownBy(() -> alice.node().send(bob, "which one?").get(5, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(SendException.class)
        .hasMessageContaining("2 peers are called " + bob)
        .hasMessageContaining(bob + "@127.0.0.1:" + bob1.node().tcpPort())
        .hasMessageContaining(bob + "@127.0.0.1:" + bob2.node().tcpPort());

    // Two keys for one nickname: whichever bob was heard second needs /trust, once.
    alice.node().trust(bob + "@127.0.0.1:" + bob2.node().tcpPort());
    alice
        .node()
        .send(bob + "@127.0.0.1:" + bob2.node().tcpPort(), "you, two")
        .get(5, TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> bob2.received().contains("you, two"));
    assertThat(bob1.received()).isEmpty();
  }

  @Test
  void aMessageLineIsByteIdenticalToTheRustFormat() throws Exception {
    Started alice = nodes.start("alice-" + nodes.nick("w").substring(2));
    String nick = alice.node().nickname();
    try (ServerSocket capture = new ServerSocket(0)) {
      capture.setSoTimeout(5000);
      alice
          .node()
          .directory()
          .upsert("catcher", new InetSocketAddress("127.0.0.1", capture.getLocalPort()), "lan");
      long before = System.currentTimeMillis() / 1000;
      alice.node().send("catcher", "hi").get(5, TimeUnit.SECONDS);
      long after = System.currentTimeMillis() / 1000;
      try (Socket s = capture.accept()) {
        s.setSoTimeout(5000);
        String line = readLine(s.getInputStream());
        String prefix = "{\"from\":\"" + nick + "\",\"content\":\"hi\",\"timestamp\":";
        assertThat(line).startsWith(prefix).endsWith("}\n");
        long t = Long.parseLong(line.substring(prefix.length(), line.length() - 2));
        assertThat(t).isBetween(before, after);
      }
    }
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    int b;
    while ((b = in.read()) >= 0) {
      sb.append((char) b);
      if (b == '\n') {
        break;
      }
    }
    return sb.toString();
  }

  @Test
  void aMessageTooLongForTheWireIsRefusedBeforeSending() throws Exception {
    Started[] p = pair();
    assertThatThrownBy(
            () ->
                p[0].node()
                    .send(nodes.nick("bob"), "x".repeat(Protocol.MAX_LINE_BYTES))
                    .get(5, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(SendException.class)
        .hasMessageContaining("too long");
  }

  @Test
  void aShortMessageThatEscapesToTooManyBytesIsRefusedToo() throws Exception {
    Started[] p = pair();
    // 180,000 characters, each written as \u0001: 1,080,000 bytes on the wire.
    assertThatThrownBy(
            () ->
                p[0].node()
                    .send(nodes.nick("bob"), "\u0001".repeat(180_000))
                    .get(5, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(SendException.class)
        .hasMessageContaining("too long: 1080");
  }
}
