package io.parlance.client.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.parlance.client.peer.PeerDirectory;
import io.parlance.client.security.Identity;
import io.parlance.client.security.SignedDiscovery;
import io.parlance.client.testing.TestNodes;
import io.parlance.protocol.Protocol;
import io.parlance.protocol.TokenBucket;
import io.parlance.protocol.json.WireJson;
import io.parlance.protocol.wire.Announce;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.MulticastSocket;
import java.net.NetworkInterface;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The discovery server on loopback, watched by a plain multicast socket. */
class DiscoveryServerTest {

  private static final Duration WAIT = Duration.ofSeconds(2);
  private static final Identity US = Identity.generate();

  private final TestNodes ports = new TestNodes();
  private final EventLoopGroup loops = new NioEventLoopGroup(1);
  private final PeerDirectory directory = new PeerDirectory();
  private final List<DiscoveryServer> started = new ArrayList<>();

  @AfterEach
  void stopServersAndLoops() throws InterruptedException {
    for (DiscoveryServer server : started) {
      server.close(WAIT);
    }
    loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
  }

  @Test
  void aSignedNewcomerIsAnsweredAtOnceByUnicastAPlainOneOnlyOnTheGroup() throws Exception {
    DiscoveryServer server = startedServer(new TokenBucket(64, 64));
    try (MulticastSocket newcomer = unjoinedSocket();
        MulticastSocket plain = unjoinedSocket()) {
      send(newcomer, signedAnnounce(Identity.generate(), 7001), group());
      send(plain, new Announce(ports.nick("rusty"), 7002), group());

      // These sockets never joined the group: only an answer sent to them can arrive.
      assertThat(nextFrom(newcomer, US.id().value()))
          .contains("\"announce\"", "\"tcp_port\":40100", "\"sig\"");
      plain.setSoTimeout(300);
      assertThatNothingMoreFrom(plain, US.id().value());
      assertThat(server.answersSent()).isEqualTo(1);
      assertThat(directory.peers()).hasSize(2);
    }
  }

  @Test
  void unicastAnswersAreBoundedAndTheGroupStillHearsUs() throws Exception {
    // The watcher joins before the server starts, so it hears the start announce too.
    try (MulticastSocket crowd = unjoinedSocket();
        MulticastSocket watcher = joinedSocket()) {
      // A bucket of 3 that never refills: the clock stands still.
      DiscoveryServer server = startedServer(new TokenBucket(1, 3, () -> 0L));
      for (int i = 0; i < 5; i++) {
        send(crowd, signedAnnounce(Identity.generate(), 7100 + i), group());
      }

      for (int i = 0; i < 3; i++) {
        assertThat(nextFrom(crowd, US.id().value())).contains("\"sig\"");
      }
      crowd.setSoTimeout(300);
      assertThatNothingMoreFrom(crowd, US.id().value());
      assertThat(server.answersSent()).isEqualTo(3);
      assertThat(directory.peers()).hasSize(5);
      // Our start announce, then at once our reply to the first newcomer (the gap covers the rest).
      assertThat(nextFrom(watcher, US.id().value())).contains("\"announce\"");
      assertThat(nextFrom(watcher, US.id().value())).contains("\"announce\"");
    }
  }

  @Test
  void anAnswerSentToOurSendingSocketListsThePeerAndIsNotAnsweredInTurn() throws Exception {
    DiscoveryServer server = startedServer(new TokenBucket(64, 64));
    try (MulticastSocket answering = unjoinedSocket()) {
      Identity bob = Identity.generate();
      send(answering, signedAnnounce(bob, 7200), toSender(server));

      await().atMost(WAIT).until(() -> directory.peers().size() == 1);
      assertThat(directory.peers().get(0).id()).isEqualTo(bob.id());
      answering.setSoTimeout(300);
      assertThatNothingMoreFrom(answering, US.id().value());
      assertThat(server.answersSent()).isZero();
    }
  }

  @Test
  void whatArrivesOnTheSendingSocketIsBoundedLikeTheGroup() throws Exception {
    DiscoveryServer server = startedServer(new TokenBucket(64, 64));
    try (MulticastSocket hostile = unjoinedSocket()) {
      byte[] huge = new byte[Protocol.MAX_DATAGRAM_BYTES + 100];
      Arrays.fill(huge, (byte) 'x');
      hostile.send(new DatagramPacket(huge, huge.length, toSender(server)));
      byte[] junk = "{\"type\":\"announce\"".getBytes(StandardCharsets.UTF_8);
      hostile.send(new DatagramPacket(junk, junk.length, toSender(server)));
      send(hostile, signedAnnounce(Identity.generate(), 7300), toSender(server));

      // The bad datagrams were dropped; the socket still serves the good one after them.
      await().atMost(WAIT).until(() -> directory.peers().size() == 1);
      assertThat(directory.peers().get(0).address().getPort()).isEqualTo(7300);
    }
  }

  /** Starts a server that signs its announces; it is closed after the test. */
  private DiscoveryServer startedServer(TokenBucket answers) throws Exception {
    DiscoveryServer server =
        new DiscoveryServer(
            new DiscoveryConfig(
                lo(),
                group().getAddress(),
                ports.multicastPort(),
                Duration.ofMinutes(1),
                Duration.ofMinutes(3),
                Duration.ofHours(1)),
            loops,
            directory,
            () -> "us",
            40_100,
            new SignedDiscovery(US, List.of("tls", "ack")),
            answers);
    started.add(server);
    server.start();
    return server;
  }

  private static InetSocketAddress toSender(DiscoveryServer server) {
    return new InetSocketAddress("127.0.0.1", server.senderAddress().getPort());
  }

  private InetSocketAddress group() throws Exception {
    return new InetSocketAddress(InetAddress.getByName("239.255.255.250"), ports.multicastPort());
  }

  private static NetworkInterface lo() throws Exception {
    return NetworkInterface.getByName(TestNodes.LOOPBACK);
  }

  private Announce signedAnnounce(Identity identity, int tcpPort) {
    return new SignedDiscovery(identity, List.of("tls", "ack"))
        .announce(ports.nick("p" + tcpPort), tcpPort);
  }

  /** A socket on lo, bound to its own port, sending to the group on lo only, never joined. */
  private static MulticastSocket unjoinedSocket() throws Exception {
    MulticastSocket socket = new MulticastSocket(new InetSocketAddress("127.0.0.1", 0));
    socket.setNetworkInterface(lo());
    socket.setTimeToLive(1);
    socket.setSoTimeout((int) WAIT.toMillis());
    return socket;
  }

  private MulticastSocket joinedSocket() throws Exception {
    MulticastSocket socket = new MulticastSocket(ports.multicastPort());
    socket.setNetworkInterface(lo());
    socket.joinGroup(group(), lo());
    socket.setSoTimeout((int) WAIT.toMillis());
    return socket;
  }

  private static void send(MulticastSocket socket, Object message, InetSocketAddress to)
      throws Exception {
    byte[] bytes = WireJson.toBytes(message);
    socket.send(new DatagramPacket(bytes, bytes.length, to));
  }

  @Test
  void nothingIsAnnouncedAfterTheGoodbyeEvenWhileAnnouncesAreUnderWay() throws Exception {
    NetworkInterface lo = lo();
    InetAddress group = group().getAddress();
    try (MulticastSocket capture = new MulticastSocket(ports.multicastPort())) {
      capture.setNetworkInterface(lo);
      capture.joinGroup(new InetSocketAddress(group, ports.multicastPort()), lo);
      for (int round = 0; round < 5; round++) {
        String nick = ports.nick("leaver" + round);
        DiscoveryServer server =
            new DiscoveryServer(
                new DiscoveryConfig(
                    lo,
                    group,
                    ports.multicastPort(),
                    Duration.ofSeconds(5),
                    Duration.ofSeconds(15),
                    Duration.ofMillis(250)),
                loops,
                directory,
                () -> nick,
                40_000 + round);
        server.start();
        AtomicBoolean hammering = new AtomicBoolean(true);
        Thread hammer =
            new Thread(
                () -> {
                  while (hammering.get()) {
                    server.announceNow();
                    LockSupport.parkNanos(200_000);
                  }
                });
        hammer.start();
        try {
          Thread.sleep(5);
          assertThat(server.sayGoodbye(WAIT)).isTrue();
          Thread.sleep(20); // announceNow keeps being called after the goodbye
        } finally {
          hammering.set(false);
          hammer.join();
          server.close(WAIT);
        }

        capture.setSoTimeout(5_000);
        String datagram;
        do {
          datagram = nextFrom(capture, nick);
        } while (datagram.contains("\"announce\""));
        assertThat(datagram).contains("\"goodbye\"");
        capture.setSoTimeout(300);
        assertThatNothingMoreFrom(capture, nick);
      }
    }
  }

  private static void assertThatNothingMoreFrom(MulticastSocket socket, String nick)
      throws Exception {
    try {
      String late = nextFrom(socket, nick);
      throw new AssertionError("did not expect: " + late);
    } catch (SocketTimeoutException expected) {
      // Nothing more from this peer.
    }
  }

  private static String nextFrom(MulticastSocket socket, String nick) throws Exception {
    byte[] buf = new byte[9000];
    while (true) {
      DatagramPacket packet = new DatagramPacket(buf, buf.length);
      socket.receive(packet);
      String text = new String(buf, 0, packet.getLength(), StandardCharsets.UTF_8);
      if (text.contains("\"" + nick + "\"")) {
        return text;
      }
    }
  }
}
