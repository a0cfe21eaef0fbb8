package io.parlance.protocol.codec;

import static io.parlance.protocol.fuzz.FuzzChecks.decodeOrReject;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import io.parlance.protocol.Nickname;
import io.parlance.protocol.Protocol;
import io.parlance.protocol.wire.Announce;
import io.parlance.protocol.wire.DiscoveryMessage;
import io.parlance.protocol.wire.DiscoveryPacket;
import java.net.InetSocketAddress;

/**
 * Fuzzes the announces and goodbyes a peer reads from multicast: any datagram is either a valid
 * message that our encoder writes back as a datagram decoding to the same message, or a {@link
 * ProtocolException} naming its sender; and every datagram is released.
 */
class DiscoveryDecoderFuzzTest {

  private static final InetSocketAddress SENDER = new InetSocketAddress("198.18.0.7", 6789);
  private static final InetSocketAddress GROUP = new InetSocketAddress("239.255.255.250", 6789);

  @FuzzTest
  void anyDatagramIsAValidMessageThatRoundTripsOrACleanRejection(byte[] bytes) {
    DiscoveryPacket packet = decode(bytes);
    if (packet == null) {
      return;
    }
    assertThat(packet.address()).isEqualTo(SENDER);
    DiscoveryMessage message = packet.message();
    assertThat(Nickname.problem(message.nickname())).isEmpty();
    if (message instanceof Announce a) {
      assertThat(a.tcpPort()).isBetween(1, 65_535);
    }
    EmbeddedChannel out = new EmbeddedChannel(DiscoveryEncoder.INSTANCE);
    try {
      assertThat(out.writeOutbound(new DiscoveryPacket(message, GROUP))).isTrue();
      DatagramPacket written = out.readOutbound();
      try {
        assertThat(written.recipient()).isEqualTo(GROUP);
        assertThat(written.content().readableBytes())
            .isLessThanOrEqualTo(Protocol.MAX_DATAGRAM_BYTES);
        byte[] again = new byte[written.content().readableBytes()];
        written.content().getBytes(written.content().readerIndex(), again);
        DiscoveryPacket reread = decode(again);
        assertThat(reread).isNotNull();
        assertThat(reread.message()).isEqualTo(message);
      } finally {
        written.release();
      }
    } finally {
      out.finishAndReleaseAll();
    }
  }

  private static DiscoveryPacket decode(byte[] bytes) {
    ByteBuf content = Unpooled.buffer(bytes.length).writeBytes(bytes);
    return decodeOrReject(
        DiscoveryDecoder.INSTANCE,
        new DatagramPacket(content, GROUP, SENDER),
        DiscoveryPacket.class,
        e -> assertThat(e.getMessage()).startsWith("datagram from " + SENDER));
  }
}
