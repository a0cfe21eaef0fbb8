package io.parlance.client.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.parlance.protocol.Protocol;
import io.parlance.protocol.wire.ChatLine;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The listener's limits against the attacks of issue 22 (item 8) and the senders of issue 16: over
 * real loopback sockets, each attack bounded in count, a real peer's line still arriving.
 */
class MessageServerLimitsTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private final EventLoopGroup group = new NioEventLoopGroup(2);
  private final Set<String> received = ConcurrentHashMap.newKeySet();
  private final List<InboundRefusals.Refusal> refusals = new CopyOnWriteArrayList<>();
  private final List<Socket> sockets = new ArrayList<>();
  private MessageServer server;
  private InetSocketAddress at;

  @AfterEach
  void stop() throws Exception {
    for (Socket s : sockets) {
      s.close();
    }
    if (server != null) {
      server.close(Duration.ofSeconds(2));
    }
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private void start(InboundLimits limits, KnownPeers known) throws InterruptedException {
    server =
        new MessageServer(
            new InetSocketAddress("127.0.0.1", 0),
            message -> {
              received.add(message.line().content());
              return InboundSink.Outcome.NOTHING.now();
            },
            limits,
            null,
            known,
            (refusal, connection) -> refusals.add(refusal));
    at = server.start(group);
  }

  private static KnownPeers from(String ip) {
    return (remote, proven) ->
        ((InetSocketAddress) remote).getAddress().getHostAddress().equals(ip);
  }

  private static byte[] line(String from, String content) {
    return (new String(
                io.parlance.protocol.json.WireJson.toBytes(ChatLine.now(from, content)),
                StandardCharsets.UTF_8)
            + "\n")
        .getBytes(StandardCharsets.UTF_8);
  }

  /** A connection from a given loopback source address, kept open until the test ends. */
  private Socket open(String sourceIp) throws IOException {
    Socket s = new Socket();
    sockets.add(s);
    s.bind(new InetSocketAddress(InetAddress.getByName(sourceIp), 0));
    s.connect(at, 5000);
    s.setSoTimeout(5000);
    return s;
  }

  /** Connects, writes one line and closes, as the Rust Parlance sends a message. */
  private void sendLikeRust(String content) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(at, 5000);
      s.getOutputStream().write(line("rusty", content));
    }
  }

  private void sendManyLikeRustAndExpectEveryOne(int count) throws IOException {
    for (int i = 0; i < count; i++) {
      sendLikeRust("m" + i);
    }
    await().atMost(WAIT).until(() -> received.size() == count);
    assertThat(server.refusedConnections()).isZero();
  }

  private static boolean closedByPeer(Socket s) {
    try {
      InputStream in = s.getInputStream();
      while (in.read() >= 0) {
        // drain until the server closes
      }
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  @Test
  void aSenderThatOpensOneConnectionPerMessageLosesNothingWithLimitsFarBelowItsRate()
      throws Exception {
    start(InboundLimits.DEFAULTS.withMaxConnections(8).withAddressLimits(2, 2), from("127.0.0.1"));
    sendManyLikeRustAndExpectEveryOne(3000);
  }

  @Test
  void anUnknownSenderThatOpensOneConnectionPerMessageLosesNothingUnderTheDefaults()
      throws Exception {
    start(InboundLimits.DEFAULTS, KnownPeers.NONE);
    sendManyLikeRustAndExpectEveryOne(3000);
  }

  @Test
  void threeHundredIdleConnectionsFromOneAddressDoNotKeepARealPeerOut() throws Exception {
    start(InboundLimits.DEFAULTS, from("127.0.0.1"));
    for (int i = 0; i < 300; i++) {
      open("127.0.0.2");
    }

    Socket peer = open("127.0.0.1");
    peer.getOutputStream().write(line("alice", "still heard"));

    await().atMost(WAIT).until(() -> received.contains("still heard"));
    // The idle ones give way to one another: one address never holds more than its share
    // for long, and a stranger from elsewhere gets in too.
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(server.openConnections())
                    .isLessThanOrEqualTo(InboundLimits.DEFAULTS.maxConnectionsPerAddress() + 1));
    sendLikeRust("a stranger too");
    await().atMost(WAIT).until(() -> received.contains("a stranger too"));
  }

  @Test
  void slowlorisConnectionsAreClosedAtTheFirstLineDeadlineAndARealPeerStillDelivers()
      throws Exception {
    start(
        InboundLimits.DEFAULTS.withTimeouts(Duration.ofMillis(500), Duration.ofMinutes(5)),
        KnownPeers.NONE);
    List<Socket> slow = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      Socket s = open("127.0.0." + (3 + i % 5));
      s.getOutputStream().write('{');
      slow.add(s);
    }

    sendLikeRust("through the trickle");

    await().atMost(WAIT).until(() -> received.contains("through the trickle"));
    assertThat(slow).allMatch(MessageServerLimitsTest::closedByPeer);
  }

  @Test
  void connectionsThatDeliveredALineAndHoldOnGiveWayToNewOnesWhenTheListenerIsFull()
      throws Exception {
    start(InboundLimits.DEFAULTS.withMaxConnections(8).withAddressLimits(8, 0), KnownPeers.NONE);
    List<Socket> holders = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      Socket s = open("127.0.0.9");
      s.getOutputStream().write(line("holder", "hold " + i));
      holders.add(s);
    }
    await().atMost(WAIT).until(() -> received.size() == 8);

    Socket newcomer = open("127.0.0.10");
    newcomer.getOutputStream().write(line("newcomer", "let me in"));

    await().atMost(WAIT).until(() -> received.contains("let me in"));
    assertThat(server.evictedConnections()).isEqualTo(1);
    assertThat(holders.stream().filter(MessageServerLimitsTest::closedByPeerQuickly)).hasSize(1);
  }

  private static boolean closedByPeerQuickly(Socket s) {
    try {
      s.setSoTimeout(200);
    } catch (IOException e) {
      return true;
    }
    return closedByPeer(s);
  }

  @Test
  void aKnownPeerGetsInThroughTheReserveWhileStrangersHoldEveryOtherSlot() throws Exception {
    start(
        InboundLimits.DEFAULTS.withMaxConnections(20).withAddressLimits(100, 4), from("127.0.0.1"));
    for (int i = 0; i < 16; i++) {
      open("127.0.0.11");
    }
    await().atMost(WAIT).until(() -> server.openConnections() == 16);

    Socket friend = open("127.0.0.1");
    friend.getOutputStream().write(line("friend", "reserved for me"));
    await().atMost(WAIT).until(() -> received.contains("reserved for me"));

    // A stranger waits until an idle stranger may make room, and is heard, not refused.
    Socket stranger = open("127.0.0.12");
    stranger.getOutputStream().write(line("stranger", "after a wait"));
    await().atMost(WAIT).until(() -> received.contains("after a wait"));
    assertThat(server.refusedConnections()).isZero();
  }

  @Test
  void takesALineOfOneMebibyteAndReportsALongerOneWithItsSenderAndSize() throws Exception {
    start(InboundLimits.DEFAULTS, KnownPeers.NONE);
    String prefix = "{\"from\":\"bigmouth\",\"content\":\"";
    String suffix = "\",\"timestamp\":1}\n";
    String fits = "f".repeat(Protocol.MAX_LINE_BYTES - prefix.length() - suffix.length() + 1);
    try (Socket s = open("127.0.0.13")) {
      s.getOutputStream().write((prefix + fits + suffix).getBytes(StandardCharsets.US_ASCII));
    }
    await().atMost(WAIT).until(() -> received.contains(fits));

    try (Socket s = open("127.0.0.13")) {
      OutputStream out = s.getOutputStream();
      try {
        out.write((prefix + fits + "ff" + suffix).getBytes(StandardCharsets.US_ASCII));
      } catch (IOException e) {
        // reset by the listener while we were still writing: it refused the line
      }
      assertThat(closedByPeer(s)).isTrue();
    }
    await().atMost(WAIT).until(() -> !refusals.isEmpty());
    assertThat(refusals)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.from()).isEqualTo("bigmouth");
              assertThat(r.bytes()).isGreaterThan(Protocol.MAX_LINE_BYTES);
              assertThat(((InetSocketAddress) r.address()).getAddress().getHostAddress())
                  .isEqualTo("127.0.0.13");
            });
  }

  @Test
  void oneAddressCannotBufferMoreThanItsShareOfUnfinishedLines() throws Exception {
    start(
        InboundLimits.DEFAULTS.withLines(Protocol.MAX_LINE_BYTES, 1000, 100_000, 5000),
        KnownPeers.NONE);
    Socket first = open("127.0.0.14");
    first.getOutputStream().write(new byte[] {'{', '"'});
    first.getOutputStream().write("x".repeat(900).getBytes(StandardCharsets.US_ASCII));
    await().atMost(WAIT).until(() -> server.pendingLineBytes() == 902);
    Socket second = open("127.0.0.14");
    second.getOutputStream().write("y".repeat(900).getBytes(StandardCharsets.US_ASCII));

    assertThat(closedByPeer(second)).isTrue();
    await().atMost(WAIT).until(() -> !refusals.isEmpty());
    assertThat(refusals.get(0).reason()).contains("unfinished lines");
    Socket other = open("127.0.0.15");
    other.getOutputStream().write(line("other", "another address still fits"));
    await().atMost(WAIT).until(() -> received.contains("another address still fits"));
  }
}
