package io.parlance.client.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.parlance.protocol.codec.ChatLineDecoder;
import io.parlance.protocol.codec.LineFrameDecoder;
import io.parlance.protocol.wire.ChatLine;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LineGateTest {

  private static final int MAX_LINE = 256;

  private final List<ChatLine> received = new CopyOnWriteArrayList<>();
  private final List<InboundRefusals.Refusal> refused = new CopyOnWriteArrayList<>();
  private final ConnectionLimitHandler limit = new ConnectionLimitHandler(10);
  private final EmbeddedChannel channel =
      new EmbeddedChannel(
          limit,
          new LineFrameDecoder(MAX_LINE),
          new FloodGuard(1000),
          ChatLineDecoder.INSTANCE,
          new LineGate(limit, (refusal, connection) -> refused.add(refusal)),
          new InboundMessageHandler(
              message -> {
                received.add(message.line());
                return InboundSink.Outcome.NOTHING.now();
              }));

  @AfterEach
  void release() {
    channel.finishAndReleaseAll();
  }

  private static ByteBuf bytes(String s) {
    return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
  }

  private static String line(String content) {
    return "{\"from\":\"bob\",\"content\":\"" + content + "\",\"timestamp\":1}\n";
  }

  @Test
  void aLineAfterABadOneInTheSameReadIsNeitherStoredNorShown() {
    channel.writeInbound(bytes(line("before") + "{not json}\n" + line("after")));

    assertThat(received).extracting(ChatLine::content).containsExactly("before");
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void aLineAfterAnOverlongOneInTheSameReadIsDroppedToo() {
    channel.writeInbound(bytes(line("before") + "x".repeat(MAX_LINE + 1) + "\n" + line("after")));

    assertThat(received).extracting(ChatLine::content).containsExactly("before");
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void aLastLineWithoutLineEndAfterABadOneIsDroppedWhenTheConnectionCloses() {
    channel.writeInbound(bytes("{not json}\n" + line("after").strip()));
    channel.finish();

    assertThat(received).isEmpty();
  }

  @Test
  void linesOfAConnectionThatStaysGoodAllArriveAndCountAsDelivered() {
    channel.writeInbound(bytes(line("one") + line("two")));
    channel.writeInbound(bytes(line("three").strip()));
    channel.finish();

    assertThat(received).extracting(ChatLine::content).containsExactly("one", "two", "three");
  }

  @Test
  void reportsAnOverlongLineWithItsSenderSizeAndReason() {
    String start = "{\"from\":\"alice\",\"content\":\"";
    channel.writeInbound(bytes(start + "y".repeat(MAX_LINE)));

    assertThat(refused)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.from()).isEqualTo("alice");
              assertThat(r.bytes()).isEqualTo(start.length() + MAX_LINE);
              assertThat(r.atLeast()).isTrue();
              assertThat(r.reason()).contains("over the limit of 256 bytes");
            });
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void namesNoSenderWhenTheLineDoesNotStartWithAValidOne() {
    assertThat(LineGate.senderOf("{\"content\":\"x\"".getBytes(StandardCharsets.UTF_8))).isNull();
    assertThat(LineGate.senderOf("{\"from\":\"a\\u001b\"".getBytes(StandardCharsets.UTF_8)))
        .isNull();
    assertThat(LineGate.senderOf("{\"from\":\"\u001b[2J\"".getBytes(StandardCharsets.UTF_8)))
        .isNull();
    assertThat(LineGate.senderOf("{\"from\":\"alice".getBytes(StandardCharsets.UTF_8))).isNull();
    assertThat(LineGate.senderOf("{ \"from\":\"carol\",".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo("carol");
    // As Python's json.dumps writes it, with a space after each colon.
    assertThat(LineGate.senderOf("{\"from\": \"dave\", ".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo("dave");
  }
}
