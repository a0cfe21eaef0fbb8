package io.parlance.protocol.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.parlance.protocol.Protocol;
import io.parlance.protocol.ProtocolError;
import io.parlance.protocol.ProtocolException;
import io.parlance.protocol.codec.LineFrameDecoder.RefusedLine;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LineFrameDecoderTest {

  /** A budget that takes at most a given number of bytes, and remembers what it holds. */
  private static final class CountingBudget implements LineFrameDecoder.Budget {
    private final long limit;
    long held;

    CountingBudget(long limit) {
      this.limit = limit;
    }

    @Override
    public String reserve(int bytes) {
      if (held + bytes > limit) {
        return "the budget of " + limit + " bytes is spent";
      }
      held += bytes;
      return null;
    }

    @Override
    public void release(int bytes) {
      held -= bytes;
    }
  }

  private final List<RefusedLine> refused = new ArrayList<>();
  private final List<EmbeddedChannel> channels = new ArrayList<>();

  @AfterEach
  void releaseEverything() {
    channels.forEach(EmbeddedChannel::finishAndReleaseAll);
  }

  private EmbeddedChannel channel(int maxLineBytes, LineFrameDecoder.Budget budget) {
    EmbeddedChannel channel =
        new EmbeddedChannel(
            new LineFrameDecoder(maxLineBytes, budget),
            new ChannelInboundHandlerAdapter() {
              @Override
              public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                if (evt instanceof RefusedLine r) {
                  refused.add(r);
                }
              }
            });
    channels.add(channel);
    return channel;
  }

  private static ByteBuf bytes(String s) {
    return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
  }

  private static String text(Object line) {
    ByteBuf buf = (ByteBuf) line;
    try {
      return buf.toString(StandardCharsets.UTF_8);
    } finally {
      buf.release();
    }
  }

  @Test
  void acceptsALineOfOneMebibyteArrivingInPieces() {
    EmbeddedChannel channel = channel(Protocol.MAX_LINE_BYTES, LineFrameDecoder.Budget.UNLIMITED);
    String line = "a".repeat(Protocol.MAX_LINE_BYTES);
    for (int i = 0; i < line.length(); i += 64 * 1024) {
      channel.writeInbound(bytes(line.substring(i, Math.min(line.length(), i + 64 * 1024))));
    }
    channel.writeInbound(bytes("\n"));
    assertThat(text(channel.readInbound())).isEqualTo(line);
    assertThat(refused).isEmpty();
  }

  @Test
  void chargesAnUnfinishedLineToTheBudgetAndGivesItBackWhenTheLineEnds() {
    CountingBudget budget = new CountingBudget(1000);
    EmbeddedChannel channel = channel(1000, budget);

    channel.writeInbound(bytes("one\ntwo-start"));
    assertThat(text(channel.readInbound())).isEqualTo("one");
    assertThat(budget.held).isEqualTo("two-start".length());

    channel.writeInbound(bytes("-end\n"));
    assertThat(text(channel.readInbound())).isEqualTo("two-start-end");
    assertThat(budget.held).isZero();
  }

  @Test
  void refusesALineTheBudgetCannotTakeAndTellsThePipelineItsSizeAndStart() {
    CountingBudget budget = new CountingBudget(100);
    EmbeddedChannel channel = channel(1000, budget);
    String start = "{\"from\":\"alice\",\"content\":\"";

    assertThatThrownBy(() -> channel.writeInbound(bytes(start + "x".repeat(200))))
        .isInstanceOfSatisfying(
            ProtocolException.class,
            e -> assertThat(e.kind()).isEqualTo(ProtocolError.LIMIT_EXCEEDED))
        .hasMessageContaining("the budget of 100 bytes is spent");

    assertThat(refused)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.bytes()).isEqualTo(start.length() + 200);
              assertThat(r.atLeast()).isTrue();
              assertThat(new String(r.head(), StandardCharsets.UTF_8)).startsWith(start);
              assertThat(r.head()).hasSize(LineFrameDecoder.REFUSED_HEAD_BYTES);
            });
    assertThat(budget.held).isZero();
    // The rest of the refused line is skipped, the next one framed.
    channel.writeInbound(bytes("rest of it\nnext\n"));
    assertThat(text(channel.readInbound())).isEqualTo("next");
  }

  @Test
  void tellsThePipelineOfALineOverTheLimitBeforeRefusingIt() {
    EmbeddedChannel channel = channel(16, LineFrameDecoder.Budget.UNLIMITED);

    assertThatThrownBy(() -> channel.writeInbound(bytes("0123456789abcdefXY\n")))
        .isInstanceOfSatisfying(
            ProtocolException.class,
            e -> assertThat(e.kind()).isEqualTo(ProtocolError.LINE_TOO_LONG));

    assertThat(refused)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.bytes()).isEqualTo(18);
              assertThat(r.atLeast()).isFalse();
              assertThat(r.reason()).isEqualTo("line of 18 bytes is over the limit of 16 bytes");
              assertThat(new String(r.head(), StandardCharsets.UTF_8))
                  .isEqualTo("0123456789abcdefXY");
            });
  }

  @Test
  void givesTheBudgetBackWhenTheConnectionClosesMidLine() {
    CountingBudget budget = new CountingBudget(1000);
    EmbeddedChannel channel = channel(1000, budget);
    channel.writeInbound(bytes("half a li"));
    assertThat(budget.held).isEqualTo(9);

    channel.finish();
    assertThat(text(channel.readInbound())).isEqualTo("half a li");
    assertThat(budget.held).isZero();
  }
}
