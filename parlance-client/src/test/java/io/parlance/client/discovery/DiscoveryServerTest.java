package io.parlance.client.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.parlance.client.peer.PeerDirectory;
import io.parlance.client.testing.TestNodes;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.MulticastSocket;
import java.net.NetworkInterface;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/** The discovery server on loopback, watched by a plain multicast socket. */
class DiscoveryServerTest {

  private static final Duration WAIT = Duration.ofSeconds(2);

  @Test
  void nothingIsAnnouncedAfterTheGoodbyeEvenWhileAnnouncesAreUnderWay() throws Exception {
    TestNodes ports = new TestNodes();
    NetworkInterface lo = NetworkInterface.getByName(TestNodes.LOOPBACK);
    InetAddress group = InetAddress.getByName("239.255.255.250");
    // Two loops, so the receiving and the sending socket are likely on different threads.
    EventLoopGroup loops = new NioEventLoopGroup(2);
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
                new PeerDirectory(),
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
    } finally {
      loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    }
  }

  private static void assertThatNothingMoreFrom(MulticastSocket socket, String nick)
      throws Exception {
    try {
      String late = nextFrom(socket, nick);
      throw new AssertionError("sent after the goodbye: " + late);
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
