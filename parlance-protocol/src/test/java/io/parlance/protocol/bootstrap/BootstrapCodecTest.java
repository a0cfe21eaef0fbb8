package io.parlance.protocol.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.parlance.protocol.ProtocolError;
import io.parlance.protocol.ProtocolException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class BootstrapCodecTest {

  private final EmbeddedChannel server =
      new EmbeddedChannel(BootstrapFrameDecoder.CLIENT_FRAMES, BootstrapFrameEncoder.INSTANCE);
  private final EmbeddedChannel client =
      new EmbeddedChannel(BootstrapFrameDecoder.SERVER_FRAMES, BootstrapFrameEncoder.INSTANCE);

  @AfterEach
  void releaseEverything() {
    server.finishAndReleaseAll();
    client.finishAndReleaseAll();
  }

  static Stream<ClientFrame> clientFrames() {
    return Stream.of(
        new ClientFrame.Register("alice", 36091, null),
        new ClientFrame.Register("名前😀", 1, List.of("10.0.0.2:5000", "[2001:db8::1]:65535")),
        new ClientFrame.Lookup("bob", null),
        new ClientFrame.Lookup("bob", "7"),
        new ClientFrame.ListPeers(null, null, null),
        new ClientFrame.ListPeers("bob", 200, "x1"),
        new ClientFrame.Unregister(null),
        new ClientFrame.Unregister("u"));
  }

  static Stream<ServerFrame> serverFrames() {
    PeerInfo bob = new PeerInfo("bob", "203.0.113.7:36091", null);
    PeerInfo carol = new PeerInfo("carol", "[2001:db8::2]:4000", List.of("10.0.0.9:4000"));
    return Stream.of(
        new ServerFrame.Challenge("q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA="),
        new ServerFrame.Registered("alice", "203.0.113.5:36091", 3),
        new ServerFrame.Peers(List.of(bob, carol), "carol", "1"),
        new ServerFrame.Peers(List.of(), null, null),
        new ServerFrame.PeersChanged(List.of(bob), List.of(carol)),
        new ServerFrame.LookupResult("bob", true, bob, "2"),
        new ServerFrame.LookupResult("zed", false, null, null),
        new ServerFrame.Unregistered(null),
        new ServerFrame.Error(ErrorCode.NICKNAME_TAKEN, "taken", null));
  }

  @ParameterizedTest
  @MethodSource("clientFrames")
  void roundTripsEveryClientFrame(ClientFrame frame) {
    client.writeOutbound(frame);
    TextWebSocketFrame text = client.readOutbound();
    server.writeInbound(text);
    assertThat((ClientFrame) server.readInbound()).isEqualTo(frame);
  }

  @ParameterizedTest
  @MethodSource("serverFrames")
  void roundTripsEveryServerFrame(ServerFrame frame) {
    server.writeOutbound(frame);
    TextWebSocketFrame text = server.readOutbound();
    client.writeInbound(text);
    assertThat((ServerFrame) client.readInbound()).isEqualTo(frame);
  }

  @Test
  void writesCompactJsonWithTheTypeFirstAndNoNullFields() {
    assertThat(encode(new ClientFrame.Register("alice", 36091, null)))
        .isEqualTo("{\"type\":\"register\",\"nickname\":\"alice\",\"tcp_port\":36091}");
    assertThat(encode(new ServerFrame.PeersChanged(List.of(), List.of())))
        .isEqualTo("{\"type\":\"peers_changed\",\"joined\":[],\"left\":[]}");
    assertThat(
            encode(
                new ServerFrame.LookupResult(
                    "bob", true, new PeerInfo("bob", new InetSocketAddress("127.0.0.1", 9)), null)))
        .isEqualTo(
            "{\"type\":\"lookup_result\",\"nickname\":\"bob\",\"found\":true,"
                + "\"peer\":{\"nickname\":\"bob\",\"address\":\"127.0.0.1:9\"}}");
  }

  @Test
  void ignoresUnknownFields() {
    server.writeInbound(
        text(
            "{\"rooms\":[\"x\"],\"type\":\"register\",\"nickname\":\"a\",\"tcp_port\":1,"
                + "\"relay\":{\"x\":1}}"));
    assertThat((ClientFrame) server.readInbound())
        .isEqualTo(new ClientFrame.Register("a", 1, null));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "{\"nickname\":\"a\"}                                   | MISSING_TYPE     | 'type' field is missing",
        "{\"type\":\"hello\"}                                   | UNKNOWN_TYPE     | unknown type 'hello'",
        "{\"type\":\"register\",\"nickname\":\"a\",\"tcp_port\":0}   | INVALID_PORT  | tcp_port 0",
        "{\"type\":\"register\",\"nickname\":\"a\",\"tcp_port\":\"80\"} | WRONG_FIELD_TYPE | 'tcp_port'",
        "{\"type\":\"register\",\"nickname\":7,\"tcp_port\":80}     | WRONG_FIELD_TYPE | 'nickname'",
        "{\"type\":\"register\",\"tcp_port\":80}                  | MISSING_FIELD    | 'nickname' is missing",
        "{\"type\":\"register\",\"nickname\":\" a\",\"tcp_port\":80}  | INVALID_NICKNAME | whitespace",
        "{\"type\":\"register\",\"nickname\":\"a\",\"tcp_port\":80,\"addresses\":[\"example.com:80\"]} | WRONG_FIELD_TYPE | not an ip:port",
        "{\"type\":\"register\",\"nickname\":\"a\",\"tcp_port\":80,\"addresses\":[1]} | WRONG_FIELD_TYPE | addresses",
        "{\"type\":\"lookup\",\"nickname\":\"\"}                  | INVALID_NICKNAME | empty",
        "{\"type\":\"list\",\"limit\":0}                          | WRONG_FIELD_TYPE | at least 1",
        "{\"type\":\"list\",\"limit\":1.5}                        | WRONG_FIELD_TYPE | 'limit'",
        "{\"type\":\"list\",\"id\":\"\"}                          | WRONG_FIELD_TYPE | 'id'",
        "{\"type\":\"list\"}{\"type\":\"list\"}                   | TRAILING_DATA    | more than one",
        "[1,2]                                                  | MALFORMED_JSON   | expected a JSON object",
        "{\"type\":                                              | MALFORMED_JSON   | malformed JSON",
      })
  void rejectsBadClientFramesWithASpecificError(String json, ProtocolError kind, String message) {
    assertRejected(() -> server.writeInbound(text(json)), kind, message);
  }

  @Test
  void rejectsTooManyAddresses() {
    String many = "\"10.0.0.1:1\",".repeat(9);
    assertRejected(
        () ->
            server.writeInbound(
                text(
                    "{\"type\":\"register\",\"nickname\":\"a\",\"tcp_port\":1,\"addresses\":["
                        + many.substring(0, many.length() - 1)
                        + "]}")),
        ProtocolError.WRONG_FIELD_TYPE,
        "the limit is 8");
  }

  @Test
  void rejectsDeepNesting() {
    assertRejected(
        () ->
            server.writeInbound(
                text("{\"type\":\"list\",\"x\":" + "[".repeat(40) + "]".repeat(40) + "}")),
        ProtocolError.LIMIT_EXCEEDED,
        "nesting depth");
  }

  @Test
  void rejectsAnOversizeFrame() {
    String big = "{\"type\":\"list\",\"pad\":\"" + "x".repeat(17_000) + "\"}";
    assertRejected(
        () -> server.writeInbound(text(big)), ProtocolError.FRAME_TOO_LARGE, "over the limit");
    assertThat(ErrorCode.of(ProtocolError.FRAME_TOO_LARGE)).isEqualTo(ErrorCode.FRAME_TOO_LARGE);
  }

  @Test
  void rejectsAServerFrameWithABadAddress() {
    assertRejected(
        () ->
            client.writeInbound(
                text(
                    "{\"type\":\"peers_changed\",\"joined\":[{\"nickname\":\"b\","
                        + "\"address\":\"host:1\"}],\"left\":[]}")),
        ProtocolError.WRONG_FIELD_TYPE,
        "not an ip:port");
  }

  @Test
  void passesOtherWebSocketFramesThrough() {
    BinaryWebSocketFrame binary = new BinaryWebSocketFrame(Unpooled.wrappedBuffer(new byte[] {1}));
    server.writeInbound(binary);
    BinaryWebSocketFrame passed = server.readInbound();
    assertThat(passed).isSameAs(binary);
    passed.release();
  }

  @Test
  void mapsCodecErrorsToWireCodes() {
    assertThat(ErrorCode.of(ProtocolError.UNKNOWN_TYPE)).isEqualTo("unknown_type");
    assertThat(ErrorCode.of(ProtocolError.MALFORMED_JSON)).isEqualTo("malformed_frame");
    assertThat(ErrorCode.of(ProtocolError.LIMIT_EXCEEDED)).isEqualTo("limit_exceeded");
    assertThat(ErrorCode.of(ProtocolError.INVALID_NICKNAME)).isEqualTo("invalid_nickname");
  }

  @Test
  void formatsAndParsesAddresses() {
    assertThat(HostPort.format(new InetSocketAddress("::1", 80))).isEqualTo("[::1]:80");
    assertThat(HostPort.parse("a", "[::1]:80")).isEqualTo(new InetSocketAddress("::1", 80));
    assertThat(HostPort.parse("a", "192.0.2.1:65535"))
        .isEqualTo(new InetSocketAddress("192.0.2.1", 65535));
    assertRejected(() -> HostPort.parse("a", "::1:80"), ProtocolError.WRONG_FIELD_TYPE, "ip:port");
    assertRejected(() -> HostPort.parse("a", "1.2.3.4:0"), ProtocolError.INVALID_PORT, "0");
    assertRejected(() -> HostPort.parse("a", "1.2.3.4:"), ProtocolError.WRONG_FIELD_TYPE, "ip");
  }

  private String encode(BootstrapFrame frame) {
    EmbeddedChannel ch = frame instanceof ClientFrame ? client : server;
    ch.writeOutbound(frame);
    TextWebSocketFrame text = ch.readOutbound();
    try {
      return text.text();
    } finally {
      text.release();
    }
  }

  private static TextWebSocketFrame text(String json) {
    return new TextWebSocketFrame(json);
  }

  private static void assertRejected(Runnable action, ProtocolError kind, String messagePart) {
    assertThatThrownBy(action::run)
        .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.kind()).isEqualTo(kind))
        .hasMessageContaining(messagePart);
  }
}
