package io.parlance.protocol.codec;

import static io.parlance.protocol.codec.ChatLineCodecTest.assertRejected;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import io.parlance.protocol.ProtocolError;
import io.parlance.protocol.wire.Announce;
import io.parlance.protocol.wire.DiscoveryPacket;
import io.parlance.protocol.wire.Goodbye;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DiscoveryCodecTest {

  private static final InetSocketAddress GROUP = new InetSocketAddress("239.255.255.250", 6789);
  private static final InetSocketAddress SENDER = new InetSocketAddress("10.1.2.3", 40000);

  private final EmbeddedChannel channel =
      new EmbeddedChannel(DiscoveryDecoder.INSTANCE, DiscoveryEncoder.INSTANCE);

  @AfterEach
  void releaseEverything() {
    channel.finishAndReleaseAll();
  }

  @Test
  void encodesAnAnnounceExactlyAsTheRustParlanceDoes() {
    assertThat(encode(new Announce("alice", 36091)))
        .isEqualTo("{\"type\":\"announce\",\"nickname\":\"alice\",\"tcp_port\":36091}");
  }

  @Test
  void encodesAGoodbyeExactlyAsTheRustParlanceDoes() {
    assertThat(encode(new Goodbye("alice")))
        .isEqualTo("{\"type\":\"goodbye\",\"nickname\":\"alice\"}");
  }

  @Test
  void sendsTheDatagramToTheGivenAddress() {
    channel.writeOutbound(new DiscoveryPacket(new Goodbye("bob"), GROUP));
    DatagramPacket packet = channel.readOutbound();
    try {
      assertThat(packet.recipient()).isEqualTo(GROUP);
    } finally {
      packet.release();
    }
  }

  @Test
  void decodesAnAnnounceWithItsSender() {
    DiscoveryPacket packet =
        decode("{\"type\":\"announce\",\"nickname\":\"alice\",\"tcp_port\":36091}");
    assertThat(packet.message()).isEqualTo(new Announce("alice", 36091));
    assertThat(packet.address()).isEqualTo(SENDER);
  }

  @Test
  void decodesAGoodbye() {
    assertThat(decode("{\"type\":\"goodbye\",\"nickname\":\"bob\"}").message())
        .isEqualTo(new Goodbye("bob"));
  }

  @Test
  void roundTripsNonAsciiNicknames() {
    Announce announce = new Announce("名前😀", 1);
    channel.writeOutbound(new DiscoveryPacket(announce, GROUP));
    DatagramPacket out = channel.readOutbound();
    channel.writeInbound(new DatagramPacket(out.content(), GROUP, SENDER));
    assertThat(((DiscoveryPacket) channel.readInbound()).message()).isEqualTo(announce);
  }

  @Test
  void ignoresUnknownFieldsWhereverTheTypeIs() {
    DiscoveryPacket packet =
        decode(
            "{\"nickname\":\"alice\",\"capabilities\":[\"tls\",\"ack\"],\"peer_hint\":\"abc\","
                + "\"tcp_port\":1,\"type\":\"announce\",\"future\":{\"k\":1}}");
    assertThat(packet.message()).isEqualTo(new Announce("alice", 1));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "{\"nickname\":\"a\",\"tcp_port\":1}                         | MISSING_TYPE     | 'type' field is missing",
        "{\"type\":\"hello\",\"nickname\":\"a\"}                     | UNKNOWN_TYPE     | unknown type 'hello'",
        "{\"type\":\"announce\",\"nickname\":\"a\",\"tcp_port\":0}     | INVALID_PORT     | tcp_port 0 is outside 1-65535",
        "{\"type\":\"announce\",\"nickname\":\"a\",\"tcp_port\":65536} | INVALID_PORT     | tcp_port 65536 is outside 1-65535",
        "{\"type\":\"announce\",\"nickname\":\"a\",\"tcp_port\":-1}    | INVALID_PORT     | tcp_port -1 is outside",
        "{\"type\":\"announce\",\"nickname\":\"a\"}                   | MISSING_FIELD    | 'tcp_port' is missing",
        "{\"type\":\"announce\",\"tcp_port\":5}                       | MISSING_FIELD    | 'nickname' is missing",
        "{\"type\":\"announce\",\"nickname\":\"a\",\"tcp_port\":\"5\"} | WRONG_FIELD_TYPE | 'tcp_port'",
        "{\"type\":\"announce\",\"nickname\":\"a\",\"tcp_port\":5.5}   | WRONG_FIELD_TYPE | 'tcp_port'",
        "{\"type\":\"announce\",\"nickname\":true,\"tcp_port\":5}     | WRONG_FIELD_TYPE | 'nickname'",
        "{\"type\":\"announce\",\"nickname\":\"a\",\"tcp_port\":99999999999} | WRONG_FIELD_TYPE | out of range",
        "{\"type\":\"announce\",\"nickname\":\"\",\"tcp_port\":5}     | INVALID_NICKNAME | nickname is empty",
        "{\"type\":\"goodbye\",\"nickname\":\"a\\nb\"}                | INVALID_NICKNAME | line break",
        "{\"type\":\"goodbye\",\"nickname\":\"a\"}{\"type\":\"goodbye\",\"nickname\":\"b\"} | TRAILING_DATA | more than one JSON value",
        "hello                                                      | MALFORMED_JSON   | malformed JSON",
        "``                                                         | MALFORMED_JSON   | empty",
        "\"just a string\"                                          | MALFORMED_JSON   | expected a JSON object",
      })
  void rejectsBadDatagramsWithASpecificError(String datagram, ProtocolError kind, String message) {
    assertRejected(() -> channel.writeInbound(packet(datagram)), kind, message);
  }

  @Test
  void namesTheSenderInTheError() {
    assertRejected(
        () -> channel.writeInbound(packet("{}")),
        ProtocolError.MISSING_TYPE,
        "datagram from " + SENDER);
  }

  @Test
  void rejectsADatagramOverTheLimit() {
    String huge = "{\"type\":\"goodbye\",\"nickname\":\"a\",\"pad\":\"" + "x".repeat(9000) + "\"}";
    assertRejected(
        () -> channel.writeInbound(packet(huge)),
        ProtocolError.DATAGRAM_TOO_LARGE,
        "over the limit of 8192 bytes");
  }

  @Test
  void rejectsDeepNestingAndHugeNumbers() {
    assertRejected(
        () ->
            channel.writeInbound(
                packet(
                    "{\"type\":\"goodbye\",\"nickname\":\"a\",\"x\":"
                        + "[".repeat(100)
                        + "]".repeat(100)
                        + "}")),
        ProtocolError.LIMIT_EXCEEDED,
        "nesting depth");
    assertRejected(
        () ->
            channel.writeInbound(
                packet(
                    "{\"type\":\"announce\",\"nickname\":\"a\",\"tcp_port\":1"
                        + "0".repeat(40)
                        + "}")),
        ProtocolError.LIMIT_EXCEEDED,
        "Number value length");
  }

  @Test
  void rejectsInvalidUtf8() {
    ByteBuf bad = Unpooled.buffer();
    bad.writeCharSequence("{\"type\":\"goodbye\",\"nickname\":\"", StandardCharsets.US_ASCII);
    bad.writeByte(0xFE);
    bad.writeCharSequence("\"}", StandardCharsets.US_ASCII);
    assertRejected(
        () -> channel.writeInbound(new DatagramPacket(bad, GROUP, SENDER)),
        ProtocolError.INVALID_UTF8,
        "not valid UTF-8");
  }

  @Test
  void keepsDecodingAfterABadDatagram() {
    assertRejected(() -> channel.writeInbound(packet("{{{")), ProtocolError.MALFORMED_JSON, "");
    assertThat(decode("{\"type\":\"goodbye\",\"nickname\":\"bob\"}").message())
        .isEqualTo(new Goodbye("bob"));
  }

  private String encode(io.parlance.protocol.wire.DiscoveryMessage message) {
    assertThat(channel.writeOutbound(new DiscoveryPacket(message, GROUP))).isTrue();
    DatagramPacket out = channel.readOutbound();
    try {
      return out.content().toString(StandardCharsets.UTF_8);
    } finally {
      out.release();
    }
  }

  private DiscoveryPacket decode(String datagram) {
    assertThat(channel.writeInbound(packet(datagram))).isTrue();
    return channel.readInbound();
  }

  private static DatagramPacket packet(String datagram) {
    return new DatagramPacket(
        Unpooled.copiedBuffer(datagram, StandardCharsets.UTF_8), GROUP, SENDER);
  }
}
