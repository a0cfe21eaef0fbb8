package io.parlance.client.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.parlance.client.security.SignedDiscovery;
import io.parlance.client.testing.TestNodes;
import io.parlance.client.testing.TestNodes.Started;
import io.parlance.protocol.json.WireJson;
import io.parlance.protocol.wire.Announce;
import io.parlance.protocol.wire.DiscoveryMessage;
import io.parlance.protocol.wire.Goodbye;
import java.net.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.MulticastSocket;
import java.net.NetworkInterface;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import org.junit.jupiter.api.Test;

/**
 * Captures our datagrams with a plain socket on loopback: the plain fields come first, byte for
 * byte as the Rust Parlance writes them, and the signed extension fields follow.
 */
class WireFormatTest {

  @Test
  void announceAndGoodbyeStartLikeTheRustFormatAndCarryAValidSignature() throws Exception {
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

      String id = alice.node().identity().id().value();
      String announce = nextFrom(capture, nick);
      assertThat(announce)
          .startsWith(
              "{\"type\":\"announce\",\"nickname\":\""
                  + nick
                  + "\",\"tcp_port\":"
                  + port
                  + ",\"id\":\""
                  + id
                  + "\",\"key\":\"")
          .contains("\"caps\":[\"tls\",\"ack\"],\"sig\":\"");
      Announce decoded = (Announce) WireJson.mapper().readValue(announce, DiscoveryMessage.class);
      assertThat(SignedDiscovery.check(decoded))
          .isEqualTo(
              new SignedDiscovery.Valid(
                  alice.node().identity().id(), publicKey(alice), decoded.seq()));
      assertThat(decoded.seq()).isNotNull();
      alice.node().stop();
      String last;
      do {
        last = nextFrom(capture, nick);
      } while (last.contains("announce"));
      assertThat(last)
          .startsWith("{\"type\":\"goodbye\",\"nickname\":\"" + nick + "\",\"id\":\"" + id);
      Goodbye goodbye = (Goodbye) WireJson.mapper().readValue(last, DiscoveryMessage.class);
      assertThat(
              SignedDiscovery.isSignedBy(goodbye, alice.node().identity().id(), publicKey(alice)))
          .isTrue();
      assertThat(
              SignedDiscovery.freshSequence(goodbye, alice.node().identity().id(), publicKey(alice))
                  .orElse(0))
          .isGreaterThan(decoded.seq());
    }
  }

  private static PublicKey publicKey(Started node) {
    return node.node().identity().publicKey();
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
