package io.parlance.protocol.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.parlance.protocol.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The relay's frames and the probe's answer on the wire: round trips and hostile fields. */
class RelayFramesTest {

  private static final String ID =
      "AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA";

  private static String json(BootstrapFrame frame) {
    ByteBuf b = BootstrapCodec.encode(ByteBufAllocator.DEFAULT, frame);
    try {
      return b.toString(StandardCharsets.UTF_8);
    } finally {
      b.release();
    }
  }

  private static ClientFrame client(String json) {
    return BootstrapCodec.readClientFrame(
        Unpooled.copiedBuffer(json, StandardCharsets.UTF_8),
        BootstrapProtocol.MAX_CLIENT_FRAME_BYTES);
  }

  private static ServerFrame server(String json) {
    return BootstrapCodec.readServerFrame(
        Unpooled.copiedBuffer(json, StandardCharsets.UTF_8),
        BootstrapProtocol.MAX_SERVER_FRAME_BYTES);
  }

  @Test
  void everyRelayFrameGoesThereAndBack() {
    String token = RelayFrames.newToken(new SecureRandom());
    assertThat(token).hasSize(RelayFrames.TOKEN_CHARS);
    RelayFrames.Request request = new RelayFrames.Request("bob", ID, "r1");
    assertThat(json(request))
        .isEqualTo(
            "{\"type\":\"relay_request\",\"nickname\":\"bob\",\"peer\":\""
                + ID
                + "\",\"id\":\"r1\"}");
    assertThat(client(json(request))).isEqualTo(request);
    RelayFrames.Join join = new RelayFrames.Join(token);
    assertThat(client(json(join))).isEqualTo(join);
    RelayFrames.Ready ready = new RelayFrames.Ready("bob", ID, token, null);
    assertThat(server(json(ready))).isEqualTo(ready);
    RelayFrames.Offer offer = new RelayFrames.Offer("alice", ID, token);
    assertThat(server(json(offer))).isEqualTo(offer);
    assertThat(server("{\"type\":\"relay_paired\"}")).isEqualTo(new RelayFrames.Paired());
    assertThat(json(offer)).doesNotContain("relay\":");
    assertThat(json(join)).doesNotContain("sig");
  }

  @Test
  void anOfferAcrossTheClusterNamesItsRelayAndASignedJoinItsKey() {
    String token = RelayFrames.newToken(new SecureRandom());
    RelayFrames.Offer offer =
        new RelayFrames.Offer("alice", ID, token, "wss://bs1.example:8443/parlance/relay");
    assertThat(json(offer)).endsWith(",\"relay\":\"wss://bs1.example:8443/parlance/relay\"}");
    assertThat(server(json(offer))).isEqualTo(offer);
    String sig = "A".repeat(86) + "==";
    RelayFrames.Join join = new RelayFrames.Join(token, ID, sig);
    assertThat(client(json(join))).isEqualTo(join);
    assertThat(new String(RelayFrames.joinPayload(token), StandardCharsets.UTF_8))
        .isEqualTo("parlance-relay-join\n" + token);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "http://bs1:8080/relay",
        "ws://bs1:8080/",
        "ws://bs1:8080/relay?x=1",
        "ws://bs1:8080/relay#f",
        "ws://user:pw@bs1:8080/relay",
        "ws:///relay",
        "ws://bs1:8080/re lay",
        "\u001b[2Jws://bs1/relay"
      })
  void anOfferWithABadRelayUrlIsRefused(String url) {
    String token = RelayFrames.newToken(new SecureRandom());
    String frame =
        "{\"type\":\"relay_offer\",\"nickname\":\"alice\",\"peer\":\""
            + ID
            + "\",\"token\":\""
            + token
            + "\",\"relay\":\""
            + url.replace("\u001b", "\\u001b")
            + "\"}";
    assertThatThrownBy(() -> server(frame)).isInstanceOf(ProtocolException.class);
    assertThatThrownBy(() -> new RelayFrames.Offer("alice", ID, token, url))
        .isInstanceOf(ProtocolException.class);
  }

  @Test
  void anOverlongRelayUrlIsRefused() {
    String token = RelayFrames.newToken(new SecureRandom());
    String url = "ws://" + "a".repeat(RelayFrames.MAX_RELAY_URL_CHARS) + "/relay";
    assertThatThrownBy(() -> new RelayFrames.Offer("alice", ID, token, url))
        .isInstanceOf(ProtocolException.class);
  }

  @Test
  void theProbeAnswerIsOptionalSoOldFramesStillRead() {
    ServerFrame.Registered old =
        (ServerFrame.Registered)
            server(
                "{\"type\":\"registered\",\"nickname\":\"a\",\"address\":\"1.2.3.4:5\",\"peers_online\":1}");
    assertThat(old.reachable()).isNull();
    ServerFrame.Registered probed = new ServerFrame.Registered("a", "1.2.3.4:5", 1, false);
    assertThat(json(probed)).endsWith("\"peers_online\":1,\"reachable\":false}");
    assertThat(server(json(probed))).isEqualTo(probed);
    PeerInfo info = new PeerInfo("a", "1.2.3.4:5", null, null, null, null, null, null, true);
    assertThat(json(new ServerFrame.Peers(java.util.List.of(info), null, null)))
        .contains("\"reachable\":true");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"type\":\"relay_join\"}",
        "{\"type\":\"relay_join\",\"token\":\"short\"}",
        "{\"type\":\"relay_join\",\"token\":\"AAAAAAAAAAAAAAAAAAAAAA+/\"}",
        "{\"type\":\"relay_join\",\"token\":\"\\u001b[2JAAAAAAAAAAAAAAAAAAAA\"}",
        "{\"type\":\"relay_join\",\"token\":7}",
        "{\"type\":\"relay_join\",\"token\":\"AAAAAAAAAAAAAAAAAAAAAAAA\",\"peer\":\"" + ID + "\"}",
        "{\"type\":\"relay_join\",\"token\":\"AAAAAAAAAAAAAAAAAAAAAAAA\",\"sig\":\"AAAA\"}",
        "{\"type\":\"relay_join\",\"token\":\"AAAAAAAAAAAAAAAAAAAAAAAA\",\"peer\":\"x\",\"sig\":\"AAAA\"}",
        "{\"type\":\"relay_join\",\"token\":\"AAAAAAAAAAAAAAAAAAAAAAAA\",\"peer\":\""
            + ID
            + "\",\"sig\":\"\"}",
        "{\"type\":\"relay_request\",\"nickname\":\"bob\"}",
        "{\"type\":\"relay_request\",\"nickname\":\"bob\",\"peer\":\"not-an-id\"}",
        "{\"type\":\"relay_request\",\"nickname\":\"\",\"peer\":\"" + ID + "\"}",
        "{\"type\":\"relay_request\",\"nickname\":\"bob\",\"peer\":\"" + ID + "\",\"id\":\"\"}"
      })
  void malformedRelayFramesAreRefused(String json) {
    assertThatThrownBy(() -> client(json)).isInstanceOf(ProtocolException.class);
  }

  @Test
  void anOversizedJoinIsRefusedBeforeParsing() {
    String huge = "{\"type\":\"relay_join\",\"token\":\"" + "A".repeat(20_000) + "\"}";
    assertThatThrownBy(() -> client(huge)).isInstanceOf(ProtocolException.class);
  }
}
