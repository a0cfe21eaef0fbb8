package io.parlance.protocol.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.parlance.protocol.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Rust Parlance's bootstrap dialect, with the frames exactly as its serde derives write them
 * (internally tagged on {@code type}, snake-case tags and fields, in declaration order).
 */
class RustDialectCodecTest {

  private static final String REGISTER =
      "{\"type\":\"register\",\"nickname\":\"alice\",\"local_addr\":\"192.168.1.100:5000\"}";
  private static final String REGISTERED =
      "{\"type\":\"registered\",\"peer_id\":\"123\",\"public_addr\":\"1.2.3.4:5000\"}";
  private static final String PEER_LIST =
      "{\"type\":\"peer_list\",\"peers\":[{\"peer_id\":\"id1\",\"nickname\":\"alice\","
          + "\"public_addr\":\"1.2.3.4:5000\",\"local_addr\":\"192.168.1.100:5000\","
          + "\"last_seen\":1699564800}]}";
  private static final String ERROR = "{\"type\":\"error\",\"message\":\"Not registered\"}";

  private final EmbeddedChannel server =
      new EmbeddedChannel(BootstrapFrameDecoder.CLIENT_FRAMES, BootstrapFrameEncoder.INSTANCE);
  private final EmbeddedChannel client =
      new EmbeddedChannel(BootstrapFrameDecoder.SERVER_FRAMES, BootstrapFrameEncoder.INSTANCE);

  @AfterEach
  void releaseEverything() {
    server.finishAndReleaseAll();
    client.finishAndReleaseAll();
  }

  private static ByteBuf utf8(String json) {
    return Unpooled.copiedBuffer(json, StandardCharsets.UTF_8);
  }

  private static BootstrapFrame readClient(String json) {
    ByteBuf buf = utf8(json);
    try {
      return BootstrapCodec.readAnyClientFrame(buf, BootstrapProtocol.MAX_CLIENT_FRAME_BYTES);
    } finally {
      buf.release();
    }
  }

  private static BootstrapFrame readServer(String json) {
    ByteBuf buf = utf8(json);
    try {
      return BootstrapCodec.readAnyServerFrame(buf, BootstrapProtocol.MAX_SERVER_FRAME_BYTES);
    } finally {
      buf.release();
    }
  }

  private static String encode(BootstrapFrame frame) {
    ByteBuf buf = BootstrapCodec.encode(ByteBufAllocator.DEFAULT, frame);
    try {
      return buf.toString(StandardCharsets.UTF_8);
    } finally {
      buf.release();
    }
  }

  @Test
  void theServerReadsEachRustClientFrame() {
    assertThat(readClient(REGISTER))
        .isEqualTo(new RustClientFrame.Register("alice", "192.168.1.100:5000"));
    assertThat(readClient("{\"type\":\"list_peers\"}")).isEqualTo(new RustClientFrame.ListPeers());
    assertThat(readClient("{\"type\":\"heartbeat\"}")).isEqualTo(new RustClientFrame.Heartbeat());
    // The same bytes in both dialects: read as ours, answered as the connection's dialect wants.
    assertThat(readClient("{\"type\":\"unregister\"}")).isEqualTo(new ClientFrame.Unregister(null));
  }

  @Test
  void ourOwnRegistrationStillReadsAsOursEvenWithALocalAddr() {
    assertThat(
            readClient(
                "{\"type\":\"register\",\"nickname\":\"alice\",\"tcp_port\":5000,"
                    + "\"local_addr\":\"10.0.0.1:5000\"}"))
        .isEqualTo(new ClientFrame.Register("alice", 5000, null));
  }

  @Test
  void aPeerReadsEachRustServerFrame() {
    assertThat(readServer(REGISTERED))
        .isEqualTo(new RustServerFrame.Registered("123", "1.2.3.4:5000"));
    assertThat(readServer(PEER_LIST))
        .isEqualTo(
            new RustServerFrame.PeerList(
                List.of(
                    new RustPeerInfo(
                        "id1", "alice", "1.2.3.4:5000", "192.168.1.100:5000", 1699564800L))));
    assertThat(readServer(ERROR)).isEqualTo(new RustServerFrame.Error("Not registered"));
    assertThat(readServer("{\"type\":\"peer_list\",\"peers\":[]}"))
        .isEqualTo(new RustServerFrame.PeerList(List.of()));
  }

  @Test
  void anErrorWithACodeIsStillOurs() {
    assertThat(readServer("{\"type\":\"error\",\"code\":\"nickname_taken\",\"message\":\"x\"}"))
        .isEqualTo(new ServerFrame.Error(ErrorCode.NICKNAME_TAKEN, "x"));
  }

  @Test
  void framesAreWrittenByteForByteAsSerdeWritesThem() {
    assertThat(encode(new RustClientFrame.Register("alice", "192.168.1.100:5000")))
        .isEqualTo(REGISTER);
    assertThat(encode(new RustClientFrame.ListPeers())).isEqualTo("{\"type\":\"list_peers\"}");
    assertThat(encode(new RustClientFrame.Heartbeat())).isEqualTo("{\"type\":\"heartbeat\"}");
    assertThat(encode(new RustClientFrame.Unregister())).isEqualTo("{\"type\":\"unregister\"}");
    assertThat(encode(new RustServerFrame.Registered("123", "1.2.3.4:5000"))).isEqualTo(REGISTERED);
    assertThat(
            encode(
                new RustServerFrame.PeerList(
                    List.of(
                        new RustPeerInfo(
                            "id1", "alice", "1.2.3.4:5000", "192.168.1.100:5000", 1699564800L)))))
        .isEqualTo(PEER_LIST);
    assertThat(encode(new RustServerFrame.Error("Not registered"))).isEqualTo(ERROR);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"type\":\"register\",\"nickname\":\"alice\"}",
        "{\"type\":\"register\",\"nickname\":\"\",\"local_addr\":\"1.2.3.4:5\"}",
        "{\"type\":\"register\",\"nickname\":\"alice\",\"local_addr\":5000}",
        "{\"type\":\"heartbeats\"}",
        "{\"type\":\"registered\",\"peer_id\":\"1\"}",
      })
  void framesNeitherDialectReadsAreRefusedWithOurComplaint(String json) {
    assertThatThrownBy(() -> readClient(json)).isInstanceOf(ProtocolException.class);
  }

  @Test
  void aRustPeerWithoutLastSeenIsRefused() {
    assertThatThrownBy(
            () ->
                readServer(
                    "{\"type\":\"peer_list\",\"peers\":[{\"peer_id\":\"1\",\"nickname\":\"a\","
                        + "\"public_addr\":\"1.2.3.4:5\",\"local_addr\":\"1.2.3.4:5\"}]}"))
        .isInstanceOf(ProtocolException.class);
  }

  @Test
  void theDecodersPassRustFramesOnAndTheEncoderWritesThem() {
    server.writeInbound(new TextWebSocketFrame(REGISTER));
    assertThat(server.<Object>readInbound())
        .isEqualTo(new RustClientFrame.Register("alice", "192.168.1.100:5000"));
    client.writeInbound(new TextWebSocketFrame(ERROR));
    assertThat(client.<Object>readInbound()).isEqualTo(new RustServerFrame.Error("Not registered"));
    server.writeOutbound(new RustServerFrame.Registered("123", "1.2.3.4:5000"));
    TextWebSocketFrame out = server.readOutbound();
    try {
      assertThat(out.text()).isEqualTo(REGISTERED);
    } finally {
      out.release();
    }
  }
}
