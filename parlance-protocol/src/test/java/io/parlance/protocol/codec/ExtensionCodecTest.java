package io.parlance.protocol.codec;

import static io.parlance.protocol.codec.ChatLineCodecTest.assertRejected;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import io.parlance.protocol.ProtocolError;
import io.parlance.protocol.ProtocolException;
import io.parlance.protocol.wire.Ack;
import io.parlance.protocol.wire.Announce;
import io.parlance.protocol.wire.ChatLine;
import io.parlance.protocol.wire.DiscoveryPacket;
import io.parlance.protocol.wire.Goodbye;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The negotiated extensions: optional fields that plain peers ignore, and typed lines. */
class ExtensionCodecTest {

  private static final InetSocketAddress GROUP = new InetSocketAddress("239.255.255.250", 6789);

  private final EmbeddedChannel lines =
      new EmbeddedChannel(
          new LineFrameDecoder(4096), PeerLineDecoder.INSTANCE, PeerLineEncoder.INSTANCE);
  private final EmbeddedChannel datagrams =
      new EmbeddedChannel(DiscoveryDecoder.INSTANCE, DiscoveryEncoder.INSTANCE);

  private final Announce extended =
      new Announce("alice", 36091, "ABCD-EFGH", "a2V5", List.of("tls", "ack"), "c2ln");

  @AfterEach
  void release() {
    lines.finishAndReleaseAll();
    datagrams.finishAndReleaseAll();
  }

  @Test
  void anExtendedAnnounceAddsItsFieldsAfterThePlainOnes() {
    datagrams.writeOutbound(new DiscoveryPacket(extended, GROUP));
    DatagramPacket out = datagrams.readOutbound();
    try {
      assertThat(out.content().toString(StandardCharsets.UTF_8))
          .isEqualTo(
              "{\"type\":\"announce\",\"nickname\":\"alice\",\"tcp_port\":36091,"
                  + "\"id\":\"ABCD-EFGH\",\"key\":\"a2V5\",\"caps\":[\"tls\",\"ack\"],"
                  + "\"sig\":\"c2ln\"}");
    } finally {
      out.release();
    }
  }

  /** How a plain Parlance peer reads an announce: only the fields it knows, ignoring the rest. */
  record PlainAnnounce(
      @JsonProperty("type") String type,
      @JsonProperty("nickname") String nickname,
      @JsonProperty("tcp_port") int tcpPort) {}

  @Test
  void aPlainPeerStillParsesOurExtendedAnnounce() throws Exception {
    datagrams.writeOutbound(new DiscoveryPacket(extended, GROUP));
    DatagramPacket out = datagrams.readOutbound();
    try {
      PlainAnnounce plain =
          JsonMapper.builder()
              .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
              .build()
              .readValue(out.content().toString(StandardCharsets.UTF_8), PlainAnnounce.class);
      assertThat(plain).isEqualTo(new PlainAnnounce("announce", "alice", 36091));
    } finally {
      out.release();
    }
  }

  @Test
  void anExtendedAnnounceRoundTrips() {
    datagrams.writeOutbound(new DiscoveryPacket(extended, GROUP));
    DatagramPacket out = datagrams.readOutbound();
    datagrams.writeInbound(new DatagramPacket(out.content(), GROUP, GROUP));
    Announce back = (Announce) datagrams.<DiscoveryPacket>readInbound().message();
    assertThat(back).isEqualTo(extended);
    assertThat(back.has("tls")).isTrue();
    assertThat(back.has("rooms")).isFalse();
    assertThat(new Announce("bob", 1).has("tls")).isFalse();
  }

  @Test
  void theSignedPayloadCoversEveryFieldButTheSignature() {
    byte[] payload = extended.signedPayload();
    assertThat(extended.withSig("other").signedPayload()).isEqualTo(payload);
    assertThat(
            new Announce("alice", 36092, "ABCD-EFGH", "a2V5", List.of("tls", "ack"), null)
                .signedPayload())
        .isNotEqualTo(payload);
    assertThat(
            new Announce("mallory", 36091, "ABCD-EFGH", "a2V5", List.of("tls", "ack"), null)
                .signedPayload())
        .isNotEqualTo(payload);
    assertThat(
            new Announce("alice", 36091, "ABCD-EFGX", "a2V5", List.of("tls", "ack"), null)
                .signedPayload())
        .isNotEqualTo(payload);
    assertThat(
            new Announce("alice", 36091, "ABCD-EFGH", "a2V5", List.of("tls"), null).signedPayload())
        .isNotEqualTo(payload);
    assertThat(new Goodbye("alice", "ABCD", null).signedPayload())
        .isNotEqualTo(new Goodbye("alice", "ABCE", null).signedPayload());
  }

  @Test
  void aSequencedAnnounceAddsSeqAndItsSignatureAfterSigAndRoundTrips() {
    Announce sequenced = extended.withSeq(1_700_000_000_123L, "c2Vx");
    datagrams.writeOutbound(new DiscoveryPacket(sequenced, GROUP));
    DatagramPacket out = datagrams.readOutbound();
    assertThat(out.content().toString(StandardCharsets.UTF_8))
        .endsWith(",\"sig\":\"c2ln\",\"seq\":1700000000123,\"seq_sig\":\"c2Vx\"}");
    datagrams.writeInbound(new DatagramPacket(out.content(), GROUP, GROUP));

    assertThat(datagrams.<DiscoveryPacket>readInbound().message()).isEqualTo(sequenced);
  }

  @Test
  void theFreshPayloadCoversTheSequenceNumberAndDiffersFromTheOldOne() {
    Announce sequenced = extended.withSeq(5, null);
    assertThat(sequenced.signedPayload()).isEqualTo(extended.signedPayload());
    assertThat(sequenced.freshPayload())
        .isNotEqualTo(sequenced.signedPayload())
        .isNotEqualTo(extended.withSeq(6, null).freshPayload())
        .isEqualTo(sequenced.withSeq(5, "other").withSig("other").freshPayload());
    Goodbye goodbye = new Goodbye("alice", "ABCD", null, 5L, null);
    assertThat(goodbye.freshPayload())
        .isNotEqualTo(new Goodbye("alice", "ABCD", null, 6L, null).freshPayload())
        .isNotEqualTo(goodbye.signedPayload());
  }

  @Test
  void aNegativeOrNonNumericSequenceNumberIsRejected() {
    assertThatThrownBy(() -> new Goodbye("a", null, null, -1L, null)).hasMessageContaining("'seq'");
    assertRejected(
        () ->
            datagrams.writeInbound(
                new DatagramPacket(
                    bytes("{\"type\":\"goodbye\",\"nickname\":\"a\",\"seq\":\"soon\"}"),
                    GROUP,
                    GROUP)),
        ProtocolError.WRONG_FIELD_TYPE,
        "'seq'");
  }

  @Test
  void extensionFieldsAreBounded() {
    assertThatThrownBy(() -> new Announce("a", 1, "x".repeat(257), null, null, null))
        .isInstanceOfSatisfying(
            ProtocolException.class,
            e -> assertThat(e.kind()).isEqualTo(ProtocolError.LIMIT_EXCEEDED));
    assertThatThrownBy(() -> new Announce("a", 1, null, null, Collections.nCopies(17, "c"), null))
        .hasMessageContaining("more than 16 entries");
    assertThatThrownBy(() -> new Announce("a", 1, null, null, List.of(""), null))
        .hasMessageContaining("non-empty names");
    // Signed payloads join caps with commas: a name holding one could be read two ways.
    assertThatThrownBy(() -> new Announce("a", 1, null, null, List.of("tls,ack"), null))
        .hasMessageContaining("without commas");
    assertThatThrownBy(() -> new Announce("a", 1, null, null, List.of("t ls"), null))
        .hasMessageContaining("visible ASCII");
    assertRejected(
        () ->
            datagrams.writeInbound(
                new DatagramPacket(
                    bytes(
                        "{\"type\":\"announce\",\"nickname\":\"a\",\"tcp_port\":1,\"caps\":\"tls\"}"),
                    GROUP,
                    GROUP)),
        ProtocolError.WRONG_FIELD_TYPE,
        "'caps'");
  }

  @Test
  void aChatLineWithAnIdKeepsThePlainFieldsFirst() {
    lines.writeOutbound(new ChatLine("alice", "hi", 1795259504L, "m-1"));
    ByteBuf out = lines.readOutbound();
    try {
      assertThat(out.toString(StandardCharsets.UTF_8))
          .isEqualTo(
              "{\"from\":\"alice\",\"content\":\"hi\",\"timestamp\":1795259504,\"id\":\"m-1\"}\n");
    } finally {
      out.release();
    }
  }

  @Test
  void aPlainChatLineIsStillExactlyTheRustBytes() {
    lines.writeOutbound(new ChatLine("alice", "hello world", 1795259504L));
    ByteBuf out = lines.readOutbound();
    try {
      assertThat(out.toString(StandardCharsets.UTF_8))
          .isEqualTo("{\"from\":\"alice\",\"content\":\"hello world\",\"timestamp\":1795259504}\n");
    } finally {
      out.release();
    }
  }

  @Test
  void anAckIsATypedLine() {
    lines.writeOutbound(new Ack("m-1"));
    ByteBuf out = lines.readOutbound();
    assertThat(out.toString(StandardCharsets.UTF_8))
        .isEqualTo("{\"type\":\"ack\",\"id\":\"m-1\"}\n");
    lines.writeInbound(out);
    assertThat(lines.<Object>readInbound()).isEqualTo(new Ack("m-1"));
  }

  @Test
  void untypedLinesAreChatLinesWithOrWithoutId() {
    lines.writeInbound(
        bytes(
            "{\"from\":\"bob\",\"content\":\"a\",\"timestamp\":1}\n"
                + "{\"id\":\"m-2\",\"from\":\"bob\",\"content\":\"b\",\"timestamp\":2}\n"));
    assertThat(lines.<Object>readInbound()).isEqualTo(new ChatLine("bob", "a", 1));
    assertThat(lines.<Object>readInbound()).isEqualTo(new ChatLine("bob", "b", 2, "m-2"));
  }

  @Test
  void badTypedLinesAreRejected() {
    assertRejected(
        () -> lines.writeInbound(bytes("{\"type\":\"ack\"}\n")),
        ProtocolError.MISSING_FIELD,
        "'id'");
    assertRejected(
        () -> lines.writeInbound(bytes("{\"type\":\"ack\",\"id\":\"\"}\n")),
        ProtocolError.MISSING_FIELD,
        "'id'");
    assertRejected(
        () ->
            lines.writeInbound(
                bytes("{\"from\":\"bob\",\"content\":\"a\",\"timestamp\":1,\"id\":7}\n")),
        ProtocolError.WRONG_FIELD_TYPE,
        "'id'");
  }

  private static ByteBuf bytes(String s) {
    return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
  }
}
