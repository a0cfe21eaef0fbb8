package io.parlance.protocol.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.parlance.protocol.ProtocolError;
import io.parlance.protocol.ProtocolException;
import io.parlance.protocol.json.WireJson;
import io.parlance.protocol.wire.ChatLine;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ChatLineCodecTest {

  private static final int MAX = 1024;

  private final EmbeddedChannel channel =
      new EmbeddedChannel(
          new LineFrameDecoder(MAX), ChatLineDecoder.INSTANCE, PeerLineEncoder.INSTANCE);

  @AfterEach
  void releaseEverything() {
    channel.finishAndReleaseAll();
  }

  @Test
  void encodesExactlyTheBytesTheRustParlanceWrites() {
    assertThat(encode(new ChatLine("alice", "hello world", 1795259504L)))
        .isEqualTo("{\"from\":\"alice\",\"content\":\"hello world\",\"timestamp\":1795259504}\n");
  }

  @Test
  void escapesQuotesBackslashesAndControlCharactersAsSerdeJsonDoes() {
    String content = "q\"b\\t\tn\nr\rb\bf\fnul\u0000us\u001fdel\u007f/";
    assertThat(encode(new ChatLine("alice", content, 1)))
        .isEqualTo(
            "{\"from\":\"alice\",\"content\":\"q\\\"b\\\\t\\tn\\nr\\rb\\bf\\fnul\\u0000us\\u001f"
                + "del\u007f/\",\"timestamp\":1}\n");
  }

  @Test
  void writesNonAsciiTextAsRawUtf8() {
    ChatLine line = new ChatLine("josé", "héllo 😀 名前", 7);
    ByteBuf out = channel.writeOutbound(line) ? channel.readOutbound() : null;
    try {
      byte[] bytes = new byte[out.readableBytes()];
      out.readBytes(bytes);
      assertThat(bytes)
          .isEqualTo(
              "{\"from\":\"josé\",\"content\":\"héllo 😀 名前\",\"timestamp\":7}\n"
                  .getBytes(StandardCharsets.UTF_8));
    } finally {
      out.release();
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "hello world",
        "emoji 😀🎉👩‍👩‍👧",
        "quotes \"inside\" and 'single'",
        "back\\slash\\\\es",
        "tabs\tand\nnewlines\r\n",
        "",
        "nul \u0000 and unit separator \u001f"
      })
  void roundTripsContentThroughEncoderAndDecoder(String content) {
    ChatLine line = new ChatLine("alice", content, 1699123456L);
    assertThat(roundTrip(line)).isEqualTo(line);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "hello world",
        "emoji 😀🎉👩‍👩‍👧 at the end 😀",
        "quotes \"inside\", back\\slash, slash /",
        "tabs\tand\nnewlines\r\n nul \u0000 us \u001f del \u007f",
        "line and paragraph separators \u2028\u2029, BOM \ufeff, é 名前",
        ""
      })
  void writesAChatLineExactlyAsTheObjectMapperDoes(String content) {
    List<ChatLine> lines =
        List.of(
            new ChatLine("alice", content, 1699123456L),
            new ChatLine("josé", content, 0, "m-1"),
            new ChatLine("bob", content + "x".repeat(9000), Long.MIN_VALUE, "😀"),
            new ChatLine("carol", content, Long.MAX_VALUE));
    for (ChatLine line : lines) {
      assertThat(encode(line))
          .isEqualTo(new String(WireJson.toBytes(line), StandardCharsets.UTF_8) + "\n");
    }
  }

  @Test
  void roundTripsTenThousandCharacters() {
    EmbeddedChannel big =
        new EmbeddedChannel(
            new LineFrameDecoder(64 * 1024), ChatLineDecoder.INSTANCE, PeerLineEncoder.INSTANCE);
    try {
      ChatLine line = new ChatLine("alice", "x😀é".repeat(3334).substring(0, 10_000), 1);
      assertThat(big.writeOutbound(line)).isTrue();
      ByteBuf bytes = big.readOutbound();
      assertThat(big.writeInbound(bytes)).isTrue();
      assertThat((ChatLine) big.readInbound()).isEqualTo(line);
    } finally {
      big.finishAndReleaseAll();
    }
  }

  @Test
  void decodesALineSplitAcrossManyReads() {
    byte[] bytes =
        "{\"from\":\"bob\",\"content\":\"split 😀\",\"timestamp\":5}\n"
            .getBytes(StandardCharsets.UTF_8);
    for (byte b : bytes) {
      channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
    }
    assertThat((ChatLine) channel.readInbound()).isEqualTo(new ChatLine("bob", "split 😀", 5));
    assertThat(channel.<Object>readInbound()).isNull();
  }

  @Test
  void decodesManyLinesInOneRead() {
    StringBuilder input = new StringBuilder();
    for (int i = 0; i < 50; i++) {
      input.append("{\"from\":\"bob\",\"content\":\"m").append(i).append("\",\"timestamp\":1}\n");
    }
    channel.writeInbound(Unpooled.copiedBuffer(input, StandardCharsets.UTF_8));
    List<String> contents = new ArrayList<>();
    for (ChatLine line; (line = channel.readInbound()) != null; ) {
      contents.add(line.content());
    }
    assertThat(contents).hasSize(50).startsWith("m0", "m1").endsWith("m49");
  }

  @Test
  void acceptsCrLfLineEndingsAndSkipsEmptyLines() {
    channel.writeInbound(bytes("\n\r\n{\"from\":\"bob\",\"content\":\"a\",\"timestamp\":1}\r\n\n"));
    assertThat((ChatLine) channel.readInbound()).isEqualTo(new ChatLine("bob", "a", 1));
    assertThat(channel.<Object>readInbound()).isNull();
  }

  @Test
  void deliversALastLineWithoutNewlineWhenTheSenderCloses() {
    channel.writeInbound(bytes("{\"from\":\"bob\",\"content\":\"bye\",\"timestamp\":9}"));
    assertThat(channel.<Object>readInbound()).isNull();
    channel.pipeline().fireChannelInactive();
    assertThat((ChatLine) channel.readInbound()).isEqualTo(new ChatLine("bob", "bye", 9));
  }

  @Test
  void ignoresUnknownFields() {
    channel.writeInbound(
        bytes(
            "{\"unknown\":\"x\",\"from\":\"bob\",\"extra\":{\"nested\":[1,2,{\"a\":null}]},"
                + "\"content\":\"hi\",\"timestamp\":3,\"type\":\"future\"}\n"));
    assertThat((ChatLine) channel.readInbound()).isEqualTo(new ChatLine("bob", "hi", 3));
  }

  @Test
  void rejectsALineOverTheLimitWithoutBufferingIt() {
    ByteBuf huge = Unpooled.buffer();
    huge.writeCharSequence("x".repeat(MAX + 10), StandardCharsets.US_ASCII);
    assertRejected(() -> channel.writeInbound(huge), ProtocolError.LINE_TOO_LONG, "over the limit");
    // The rest of the long line is discarded; the next line decodes.
    channel.writeInbound(bytes("yyyy\n{\"from\":\"bob\",\"content\":\"ok\",\"timestamp\":1}\n"));
    assertThat((ChatLine) channel.readInbound()).isEqualTo(new ChatLine("bob", "ok", 1));
  }

  @Test
  void rejectsALongLineThatArrivesWithItsNewline() {
    assertRejected(
        () -> channel.writeInbound(bytes("z".repeat(MAX + 1) + "\n")),
        ProtocolError.LINE_TOO_LONG,
        "line of 1025 bytes is over the limit of 1024 bytes");
  }

  @Test
  void acceptsALineOfExactlyTheLimit() {
    String prefix = "{\"from\":\"bob\",\"content\":\"";
    String suffix = "\",\"timestamp\":1}";
    String content = "c".repeat(MAX - prefix.length() - suffix.length());
    channel.writeInbound(bytes(prefix + content + suffix + "\r\n"));
    assertThat(((ChatLine) channel.readInbound()).content()).isEqualTo(content);
  }

  @Test
  void decodesLinesFromDirectBuffersAsSocketsDeliverThem() {
    String content = "é😀 " + "x".repeat(900);
    ByteBuf direct = Unpooled.directBuffer();
    direct.writeCharSequence(
        "{\"from\":\"bob\",\"content\":\""
            + content
            + "\",\"timestamp\":1}\n"
            + "{\"from\":\"bob\",\"content\":\"\u00ff\",\"timestamp\":2}\n",
        StandardCharsets.UTF_8);
    channel.writeInbound(direct);
    assertThat((ChatLine) channel.readInbound()).isEqualTo(new ChatLine("bob", content, 1));
    assertThat((ChatLine) channel.readInbound()).isEqualTo(new ChatLine("bob", "ÿ", 2));

    ByteBuf bad = Unpooled.directBuffer();
    bad.writeCharSequence("{\"from\":\"bob\",\"content\":\"", StandardCharsets.US_ASCII);
    bad.writeByte(0xC0).writeByte(0xAF);
    bad.writeCharSequence("\",\"timestamp\":1}\n", StandardCharsets.US_ASCII);
    assertRejected(() -> channel.writeInbound(bad), ProtocolError.INVALID_UTF8, "UTF-8");
  }

  @Test
  void readsADocumentLargerThanTheScratchArrayFromADirectBuffer() {
    String content = "y".repeat(100_000);
    ByteBuf direct = Unpooled.directBuffer();
    try {
      direct.writeCharSequence(
          "{\"from\":\"bob\",\"content\":\"" + content + "\",\"timestamp\":3}",
          StandardCharsets.UTF_8);
      assertThat(WireJson.read(direct, ChatLine.class)).isEqualTo(new ChatLine("bob", content, 3));
    } finally {
      direct.release();
    }
  }

  @Test
  void rejectsInvalidUtf8() {
    ByteBuf bad = Unpooled.buffer();
    bad.writeCharSequence("{\"from\":\"bob\",\"content\":\"", StandardCharsets.US_ASCII);
    bad.writeBytes(new byte[] {(byte) 0xC3, (byte) 0x28});
    bad.writeCharSequence("\",\"timestamp\":1}\n", StandardCharsets.US_ASCII);
    assertRejected(() -> channel.writeInbound(bad), ProtocolError.INVALID_UTF8, "not valid UTF-8");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "ed a0 80", // an encoded surrogate
        "c0 af", // an overlong '/'
        "f8 88 80 80 80", // five-byte form
        "ff"
      })
  void rejectsEveryKindOfBadUtf8Sequence(String hex) {
    ByteBuf bad = Unpooled.buffer();
    bad.writeCharSequence("{\"from\":\"bob\",\"content\":\"", StandardCharsets.US_ASCII);
    for (String b : hex.split(" ")) {
      bad.writeByte(Integer.parseInt(b, 16));
    }
    bad.writeCharSequence("\",\"timestamp\":1}\n", StandardCharsets.US_ASCII);
    assertRejected(() -> channel.writeInbound(bad), ProtocolError.INVALID_UTF8, "UTF-8");
  }

  @Test
  void rejectsMalformedJson() {
    assertRejected(
        () -> channel.writeInbound(bytes("{\"from\":\"bob\",\"content\":\n")),
        ProtocolError.MALFORMED_JSON,
        "malformed JSON");
    assertRejected(
        () -> channel.writeInbound(bytes("not json at all\n")),
        ProtocolError.MALFORMED_JSON,
        "malformed JSON");
  }

  @Test
  void rejectsAJsonValueThatIsNotAnObject() {
    assertRejected(
        () -> channel.writeInbound(bytes("[1,2,3]\n")),
        ProtocolError.MALFORMED_JSON,
        "expected a JSON object");
  }

  @Test
  void rejectsDeepNesting() {
    String deep = "[".repeat(5000) + "]".repeat(5000);
    EmbeddedChannel wide =
        new EmbeddedChannel(new LineFrameDecoder(64 * 1024), ChatLineDecoder.INSTANCE);
    try {
      assertRejected(
          () ->
              wide.writeInbound(
                  bytes(
                      "{\"from\":\"bob\",\"x\":" + deep + ",\"content\":\"a\",\"timestamp\":1}\n")),
          ProtocolError.LIMIT_EXCEEDED,
          "nesting depth");
    } finally {
      wide.finishAndReleaseAll();
    }
  }

  @Test
  void rejectsHugeNumbers() {
    assertRejected(
        () ->
            channel.writeInbound(
                bytes(
                    "{\"from\":\"bob\",\"content\":\"a\",\"timestamp\":"
                        + "9".repeat(100)
                        + "}\n")),
        ProtocolError.LIMIT_EXCEEDED,
        "Number value length");
    assertRejected(
        () ->
            channel.writeInbound(
                bytes("{\"from\":\"bob\",\"content\":\"a\",\"timestamp\":99999999999999999999}\n")),
        ProtocolError.WRONG_FIELD_TYPE,
        "out of range");
  }

  @Test
  void rejectsWrongFieldTypes() {
    assertRejected(
        () ->
            channel.writeInbound(
                bytes("{\"from\":\"bob\",\"content\":\"a\",\"timestamp\":\"1\"}\n")),
        ProtocolError.WRONG_FIELD_TYPE,
        "'timestamp'");
    assertRejected(
        () ->
            channel.writeInbound(bytes("{\"from\":\"bob\",\"content\":\"a\",\"timestamp\":1.5}\n")),
        ProtocolError.WRONG_FIELD_TYPE,
        "'timestamp'");
    assertRejected(
        () -> channel.writeInbound(bytes("{\"from\":42,\"content\":\"a\",\"timestamp\":1}\n")),
        ProtocolError.WRONG_FIELD_TYPE,
        "'from'");
    assertRejected(
        () ->
            channel.writeInbound(bytes("{\"from\":\"bob\",\"content\":[\"a\"],\"timestamp\":1}\n")),
        ProtocolError.WRONG_FIELD_TYPE,
        "'content'");
  }

  @Test
  void rejectsMissingAndNullFields() {
    assertRejected(
        () -> channel.writeInbound(bytes("{\"from\":\"bob\",\"timestamp\":1}\n")),
        ProtocolError.MISSING_FIELD,
        "'content' is missing");
    assertRejected(
        () -> channel.writeInbound(bytes("{\"from\":\"bob\",\"content\":null,\"timestamp\":1}\n")),
        ProtocolError.MISSING_FIELD,
        "'content'");
    assertRejected(
        () ->
            channel.writeInbound(
                bytes("{\"from\":\"bob\",\"content\":\"a\",\"timestamp\":null}\n")),
        ProtocolError.MISSING_FIELD,
        "'timestamp'");
  }

  @Test
  void rejectsAnInvalidSenderNickname() {
    assertRejected(
        () ->
            channel.writeInbound(bytes("{\"from\":\" bob\",\"content\":\"a\",\"timestamp\":1}\n")),
        ProtocolError.INVALID_NICKNAME,
        "leading or trailing whitespace");
  }

  @Test
  void rejectsDuplicateFields() {
    assertRejected(
        () ->
            channel.writeInbound(
                bytes("{\"from\":\"bob\",\"from\":\"eve\",\"content\":\"a\",\"timestamp\":1}\n")),
        ProtocolError.MALFORMED_JSON,
        "Duplicate field");
  }

  @Test
  void rejectsTwoObjectsOnOneLine() {
    assertRejected(
        () ->
            channel.writeInbound(
                bytes(
                    "{\"from\":\"bob\",\"content\":\"a\",\"timestamp\":1}"
                        + "{\"from\":\"bob\",\"content\":\"b\",\"timestamp\":2}\n")),
        ProtocolError.TRAILING_DATA,
        "more than one JSON value");
  }

  @Test
  void keepsDecodingAfterABadLine() {
    assertRejected(
        () -> channel.writeInbound(bytes("garbage\n")), ProtocolError.MALFORMED_JSON, "");
    channel.writeInbound(bytes("{\"from\":\"bob\",\"content\":\"after\",\"timestamp\":1}\n"));
    assertThat(((ChatLine) channel.readInbound()).content()).isEqualTo("after");
  }

  @Test
  void textThatIsNotValidUnicodeCanNeitherBeSentNorReceived() {
    assertThatThrownBy(() -> new ChatLine("bob", "lone \ud800", 1))
        .isInstanceOfSatisfying(
            ProtocolException.class,
            e -> assertThat(e.kind()).isEqualTo(ProtocolError.INVALID_UTF8))
        .hasMessageContaining("unpaired surrogate");
    assertRejected(
        () ->
            channel.writeInbound(
                bytes("{\"from\":\"bob\",\"content\":\"\\ud800\",\"timestamp\":1}\n")),
        ProtocolError.INVALID_UTF8,
        "unpaired surrogate");
  }

  @Test
  void decodesEscapedSurrogatePairs() {
    channel.writeInbound(
        bytes("{\"from\":\"bob\",\"content\":\"\\ud83d\\ude00\",\"timestamp\":1}\n"));
    assertThat(channel.<ChatLine>readInbound().content()).isEqualTo("😀");
  }

  @Test
  void aChatLineCannotBeBuiltWithAnInvalidSender() {
    assertThatThrownBy(() -> new ChatLine("", "x", 1))
        .isInstanceOf(ProtocolException.class)
        .hasMessage("nickname is empty");
  }

  private ChatLine roundTrip(ChatLine line) {
    assertThat(channel.writeOutbound(line)).isTrue();
    ByteBuf bytes = channel.readOutbound();
    assertThat(channel.writeInbound(bytes)).isTrue();
    return channel.readInbound();
  }

  private String encode(ChatLine line) {
    assertThat(channel.writeOutbound(line)).isTrue();
    ByteBuf out = channel.readOutbound();
    try {
      return out.toString(StandardCharsets.UTF_8);
    } finally {
      out.release();
    }
  }

  private static ByteBuf bytes(String s) {
    return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
  }

  static void assertRejected(Runnable write, ProtocolError kind, String messagePart) {
    assertThatThrownBy(write::run)
        .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.kind()).isEqualTo(kind))
        .hasMessageContaining(messagePart);
  }
}
