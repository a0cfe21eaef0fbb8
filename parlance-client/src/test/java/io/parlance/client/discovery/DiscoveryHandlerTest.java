package io.parlance.client.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import io.parlance.client.peer.Peer;
import io.parlance.client.peer.PeerDirectory;
import io.parlance.protocol.codec.DiscoveryDecoder;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DiscoveryHandlerTest {

  private static final int OUR_PORT = 5000;
  private static final InetSocketAddress GROUP = new InetSocketAddress("239.255.255.250", 6789);
  private static final InetSocketAddress US = new InetSocketAddress("127.0.0.1", 41000);
  private static final InetSocketAddress OTHER = new InetSocketAddress("10.0.0.7", 6789);

  private final PeerDirectory directory = new PeerDirectory();
  private final List<InetSocketAddress> newcomers = new ArrayList<>();
  private final EmbeddedChannel channel =
      new EmbeddedChannel(
          DiscoveryDecoder.INSTANCE,
          new DiscoveryHandler(
              directory,
              Set.of(US.getAddress()),
              () -> OUR_PORT,
              (sender, signed) -> {
                assertThat(signed).isFalse();
                newcomers.add(sender);
              }));

  @AfterEach
  void release() {
    channel.finishAndReleaseAll();
  }

  private void receive(String json, InetSocketAddress from) {
    channel.writeInbound(
        new DatagramPacket(Unpooled.copiedBuffer(json, StandardCharsets.UTF_8), GROUP, from));
  }

  private static String announce(String nick, int port) {
    return "{\"type\":\"announce\",\"nickname\":\"" + nick + "\",\"tcp_port\":" + port + "}";
  }

  @Test
  void anAnnounceAddsThePeerAtTheSourceIpAndAnnouncedPort() {
    receive(announce("bob", 7000), OTHER);

    assertThat(directory.peers())
        .containsExactly(new Peer("bob", new InetSocketAddress("10.0.0.7", 7000), Peer.LAN));
    assertThat(newcomers).containsExactly(OTHER);
    receive(announce("bob", 7000), OTHER);
    assertThat(newcomers).containsExactly(OTHER);
  }

  @Test
  void ourOwnAnnounceIsSkippedButAnotherPortOnOurIpIsAPeer() throws Exception {
    receive(announce("alice", OUR_PORT), US);
    receive(announce("alice", OUR_PORT + 1), new InetSocketAddress(US.getAddress(), 41001));

    assertThat(directory.peers())
        .extracting(Peer::address)
        .containsExactly(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), OUR_PORT + 1));
  }

  @Test
  void aGoodbyeRemovesOnlyThePeerThatAnnouncedFromTheSameSocket() {
    InetSocketAddress bob1 = new InetSocketAddress("10.0.0.7", 50001);
    InetSocketAddress bob2 = new InetSocketAddress("10.0.0.7", 50002);
    receive(announce("bob", 7001), bob1);
    receive(announce("bob", 7002), bob2);

    receive("{\"type\":\"goodbye\",\"nickname\":\"bob\"}", bob2);

    assertThat(directory.peers()).extracting(p -> p.address().getPort()).containsExactly(7001);
  }

  @Test
  void aGoodbyeFromAnUnknownSocketRemovesThatNicknameAtThatIp() {
    receive(announce("bob", 7001), OTHER);
    receive("{\"type\":\"goodbye\",\"nickname\":\"bob\"}", new InetSocketAddress("10.0.0.7", 1));
    assertThat(directory.peers()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "not json",
        "{\"type\":\"announce\",\"nickname\":\"bob\",\"tcp_port\":\"7000\"}",
        "{\"type\":\"announce\",\"nickname\":\" bob\",\"tcp_port\":7000}",
        "{\"type\":\"announce\",\"nickname\":\"bob\",\"tcp_port\":0}",
        "{\"type\":\"dance\"}",
        "[1,2,3]"
      })
  void aBadDatagramIsDroppedAndTheSocketKeepsServing(String bad) {
    receive(bad, OTHER);
    receive(announce("carol", 7003), OTHER);

    assertThat(channel.isOpen()).isTrue();
    assertThat(directory.peers()).extracting(Peer::nickname).containsExactly("carol");
  }

  @Test
  void aHugeDatagramIsDropped() {
    receive(
        "{\"type\":\"announce\",\"nickname\":\"bob\",\"tcp_port\":7000,\"pad\":\""
            + "x".repeat(9000)
            + "\"}",
        OTHER);
    assertThat(directory.peers()).isEmpty();
    assertThat(channel.isOpen()).isTrue();
  }
}
