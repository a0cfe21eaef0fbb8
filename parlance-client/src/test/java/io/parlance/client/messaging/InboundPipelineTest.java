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
import java.util.concurrent.TimeUnit;
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

  /** Moves the guard's clock and the channel's timers on together. */
  private void later(long millis) {
    clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
    channel.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
    channel.runScheduledPendingTasks();
  }

  @Test
  void slowsAConnectionOverItsRateInsteadOfClosingItAndLosesNoLine() {
    channel.writeInbound(bytes(line("1") + line("2") + line("3") + line("4") + line("5")));

    // Lines already read are passed on; reading pauses until the connection is within its rate.
    assertThat(received).extracting(ChatLine::content).containsExactly("1", "2", "3", "4", "5");
    assertThat(channel.isOpen()).isTrue();
    assertThat(channel.config().isAutoRead()).isFalse();
    assertThat(channel.pipeline().get(FloodGuard.class).pauses()).isEqualTo(1);

    // Two lines over a rate of 3 a second: paused for 2/3 s, then reading resumes.
    later(600);
    assertThat(channel.config().isAutoRead()).isFalse();
    later(100);
    assertThat(channel.config().isAutoRead()).isTrue();

    channel.writeInbound(bytes(line("6")));
    assertThat(received).hasSize(6);
    assertThat(channel.config().isAutoRead()).isFalse();
    assertThat(channel.isOpen()).isTrue();
  }

  @Test
  void aConnectionWithinItsRateIsNeverPaused() {
    for (int second = 0; second < 5; second++) {
      channel.writeInbound(bytes(line("a" + second) + line("b" + second) + line("c" + second)));
      assertThat(channel.config().isAutoRead()).isTrue();
      later(1000);
    }
    assertThat(received).hasSize(15);
    assertThat(channel.pipeline().get(FloodGuard.class).pauses()).isZero();
  }

  @Test
  void aFloodIsHeldToItsRateHoweverLongItLasts() {
    // A sender that always has more: it gets a read in whenever reading is on, 30 lines a read.
    String burst = (line("x")).repeat(30);
    int reads = 0;
    for (int step = 0; step < 100; step++) {
      if (channel.config().isAutoRead()) {
        channel.writeInbound(bytes(burst));
        reads++;
      }
      later(100);
    }
    // 10 s at 3 lines a second, plus the first second's allowance and one read of debt: the
    // reads are spaced by the time their lines cost, not let through as fast as they come.
    assertThat(received.size()).isBetween(30, 3 + 3 * 10 + 30);
    assertThat(reads).isBetween(1, 2);
    assertThat(channel.isOpen()).isTrue();
  }

  @Test
  void theStoreAndTheRateHoldReadingEachForItsOwnReason() {
    channel.writeInbound(bytes(line("1") + line("2") + line("3") + line("4")));
    assertThat(channel.config().isAutoRead()).isFalse();

    ReadPauses.pause(channel, ReadPauses.STORE);
    later(1000);
    assertThat(channel.config().isAutoRead()).as("the store still holds it").isFalse();
    ReadPauses.resume(channel, ReadPauses.STORE);
    assertThat(channel.config().isAutoRead()).isTrue();
  }

  @Test
  void closesAnIdleConnection() {
    channel.pipeline().fireUserEventTriggered(IdleStateEvent.READER_IDLE_STATE_EVENT);
    assertThat(channel.isOpen()).isFalse();
  }
}
