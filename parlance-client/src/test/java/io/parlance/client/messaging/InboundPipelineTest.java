package io.parlance.client.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.timeout.IdleStateEvent;
import io.parlance.protocol.codec.ChatLineDecoder;
import io.parlance.protocol.codec.LineFrameDecoder;
import io.parlance.protocol.wire.ChatLine;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class InboundPipelineTest {

  private static final int MAX_LINE = 256;

  private final List<ChatLine> received = new CopyOnWriteArrayList<>();
  private final AtomicLong clock = new AtomicLong();
  private final EmbeddedChannel channel =
      new EmbeddedChannel(
          new LineFrameDecoder(MAX_LINE),
          new FloodGuard(3, clock::get),
          ChatLineDecoder.INSTANCE,
          IdleCloser.INSTANCE,
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
  void handsEveryLineOfAConnectionToTheSinkEvenWhenFragmented() {
    String two = line("one") + line("two");
    channel.writeInbound(bytes(two.substring(0, 10)));
    channel.writeInbound(bytes(two.substring(10)));

    assertThat(received).extracting(ChatLine::content).containsExactly("one", "two");
    assertThat(channel.isOpen()).isTrue();
  }

  @Test
  void closesTheConnectionOnALineOverTheLimit() {
    channel.writeInbound(bytes("x".repeat(MAX_LINE + 10)));
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void closesTheConnectionOnInvalidUtf8() {
    ByteBuf bad = Unpooled.buffer();
    bad.writeCharSequence("{\"from\":\"bob\",\"content\":\"", StandardCharsets.US_ASCII);
    bad.writeByte(0xFF);
    bad.writeCharSequence("\",\"timestamp\":1}\n", StandardCharsets.US_ASCII);
    channel.writeInbound(bad);
    assertThat(channel.isOpen()).isFalse();
    assertThat(received).isEmpty();
  }

  @Test
  void closesTheConnectionOnMalformedJson() {
    channel.writeInbound(bytes("{\"from\":\n"));
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void closesAFloodingConnectionAndDropsTheRest() {
    channel.writeInbound(bytes(line("1") + line("2") + line("3") + line("4") + line("5")));
    assertThat(received).extracting(ChatLine::content).containsExactly("1", "2", "3");
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void theFloodLimitIsPerSecond() {
    channel.writeInbound(bytes(line("1") + line("2") + line("3")));
    clock.addAndGet(1_000_000_000L);
    channel.writeInbound(bytes(line("4") + line("5") + line("6")));
    assertThat(received).hasSize(6);
    assertThat(channel.isOpen()).isTrue();
  }

  @Test
  void closesAnIdleConnection() {
    channel.pipeline().fireUserEventTriggered(IdleStateEvent.READER_IDLE_STATE_EVENT);
    assertThat(channel.isOpen()).isFalse();
  }
}
