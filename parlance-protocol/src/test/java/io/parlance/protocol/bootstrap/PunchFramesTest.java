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

/** The hole punch's frames on the wire: round trips and hostile fields. */
class PunchFramesTest {

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
  void everyPunchFrameGoesThereAndBack() {
    String token = RelayFrames.newToken(new SecureRandom());
    PunchFrames.Request request = new PunchFrames.Request("bob", ID, "p1");
    assertThat(json(request))
        .isEqualTo(
            "{\"type\":\"punch_request\",\"nickname\":\"bob\",\"peer\":\""
                + ID
                + "\",\"id\":\"p1\"}");
    assertThat(client(json(request))).isEqualTo(request);
    PunchFrames.Ready ready = new PunchFrames.Ready("bob", ID, token, "p1");
    assertThat(server(json(ready))).isEqualTo(ready);
    PunchFrames.Offer offer = new PunchFrames.Offer("alice", ID, token);
    assertThat(server(json(offer))).isEqualTo(offer);
    PunchFrames.Go go = new PunchFrames.Go(token, ID, "198.19.0.2:40002", PunchFrames.ROLE_SERVER);
    assertThat(json(go))
        .isEqualTo(
            "{\"type\":\"punch_go\",\"token\":\""
                + token
                + "\",\"peer\":\""
                + ID
                + "\",\"address\":\"198.19.0.2:40002\",\"role\":\"server\"}");
    assertThat(server(json(go))).isEqualTo(go);
    assertThat(go.client()).isFalse();
    assertThat(new PunchFrames.Go(token, ID, "[2001:db8::1]:9", "client").client()).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"type\":\"punch_go\",\"token\":\"TOKEN\",\"peer\":\"ID\",\"address\":\"evil.example:80\",\"role\":\"client\"}",
        "{\"type\":\"punch_go\",\"token\":\"TOKEN\",\"peer\":\"ID\",\"address\":\"198.19.0.2:0\",\"role\":\"client\"}",
        "{\"type\":\"punch_go\",\"token\":\"TOKEN\",\"peer\":\"ID\",\"address\":\"198.19.0.2:70000\",\"role\":\"client\"}",
        "{\"type\":\"punch_go\",\"token\":\"TOKEN\",\"peer\":\"ID\",\"address\":\"198.19.0.2:1\",\"role\":\"both\"}",
        "{\"type\":\"punch_go\",\"token\":\"TOKEN\",\"peer\":\"ID\",\"address\":\"198.19.0.2:1\"}",
        "{\"type\":\"punch_go\",\"token\":\"short\",\"peer\":\"ID\",\"address\":\"198.19.0.2:1\",\"role\":\"client\"}",
        "{\"type\":\"punch_go\",\"token\":\"TOKEN\",\"peer\":\"not an id\",\"address\":\"198.19.0.2:1\",\"role\":\"client\"}",
        "{\"type\":\"punch_go\",\"token\":\"TOKEN\",\"peer\":\"ID\",\"address\":[1],\"role\":\"client\"}",
        "{\"type\":\"punch_offer\",\"nickname\":\"\\u001b[2J\",\"peer\":\"ID\",\"token\":\"TOKEN\"}",
        "{\"type\":\"punch_offer\",\"nickname\":\"alice\",\"peer\":\"ID\",\"token\":\"TOKEN!\"}",
        "{\"type\":\"punch_ready\",\"nickname\":\"bob\",\"peer\":\"ID\"}",
      })
  void hostileServerFramesAreRefused(String template) {
    String json =
        template
            .replace("TOKEN", RelayFrames.newToken(new SecureRandom()))
            .replace("\"ID\"", "\"" + ID + "\"");
    assertThatThrownBy(() -> server(json)).isInstanceOf(ProtocolException.class);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"type\":\"punch_request\",\"nickname\":\"bob\"}",
        "{\"type\":\"punch_request\",\"nickname\":\"bob\",\"peer\":\"AAAA\"}",
        "{\"type\":\"punch_request\",\"nickname\":\" bob\",\"peer\":\"ID\"}",
        "{\"type\":\"punch_request\",\"nickname\":\"bob\",\"peer\":\"ID\",\"id\":\"\"}",
        "{\"type\":\"punch_request\",\"nickname\":{\"a\":1},\"peer\":\"ID\"}",
      })
  void malformedRequestsAreRefused(String template) {
    String json = template.replace("\"ID\"", "\"" + ID + "\"");
    assertThatThrownBy(() -> client(json)).isInstanceOf(ProtocolException.class);
  }
}
