package io.parlance.client.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.parlance.client.testing.TestNodes;
import io.parlance.client.testing.TestNodes.Started;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.MulticastSocket;
import java.net.NetworkInterface;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Captures our datagrams with a plain socket on loopback and checks them byte for byte. */
class WireFormatTest {

  @Test
  void announceAndGoodbyeDatagramsAreByteIdenticalToTheRustFormat() throws Exception {
    try (TestNodes nodes = new TestNodes();
        MulticastSocket capture = new MulticastSocket(nodes.multicastPort())) {
      NetworkInterface lo = NetworkInterface.getByName(TestNodes.LOOPBACK);
      capture.setNetworkInterface(lo);
      capture.joinGroup(
          new InetSocketAddress(InetAddress.getByName("239.255.255.250"), nodes.multicastPort()),
          lo);
      capture.setSoTimeout(5000);
      String nick = nodes.nick("alice");
      Started alice = nodes.start(nick);
      int port = alice.node().tcpPort();

      assertThat(nextFrom(capture, nick))
          .isEqualTo(
              "{\"type\":\"announce\",\"nickname\":\"" + nick + "\",\"tcp_port\":" + port + "}");
      alice.node().stop();
      String last;
      do {
        last = nextFrom(capture, nick);
      } while (last.contains("announce"));
      assertThat(last).isEqualTo("{\"type\":\"goodbye\",\"nickname\":\"" + nick + "\"}");
    }
  }

  private static String nextFrom(MulticastSocket socket, String nick) throws Exception {
    byte[] buf = new byte[9000];
    while (true) {
      DatagramPacket packet = new DatagramPacket(buf, buf.length);
      try {
        socket.receive(packet);
      } catch (SocketTimeoutException e) {
        throw new AssertionError("no datagram from " + nick + " within 5 s", e);
      }
      String text = new String(buf, 0, packet.getLength(), StandardCharsets.UTF_8);
      if (text.contains("\"" + nick + "\"")) {
        return text;
      }
    }
  }
}
