package io.parlance.client.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.parlance.protocol.codec.ChatLineDecoder;
import io.parlance.protocol.codec.LineFrameDecoder;
import io.parlance.protocol.codec.PeerLineDecoder;
import io.parlance.protocol.codec.PeerLineEncoder;
import io.parlance.protocol.wire.ChatLine;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The acknowledgement path: written back by the inbound pipeline, read by the outbound one. */
class AckPipelineTest {

  private final Set<String> waitingFor = Set.of("m-1", "m-2");
  private final List<String> acked = new CopyOnWriteArrayList<>();

  /** Our outgoing connection, as {@link OutboundInitializer} builds it (minus timers). */
  private final EmbeddedChannel outbound =
      new EmbeddedChannel(
          PeerLineEncoder.INSTANCE,
          new LineFrameDecoder(MessagingPipeline.MAX_REPLY_LINE_BYTES),
          PeerLineDecoder.INSTANCE,
          new AckHandler(
              (from, id) -> {
                acked.add(id);
                return waitingFor.contains(id);
              }),
          OutboundConnectionHandler.INSTANCE);

  @AfterEach
  void release() {
    outbound.finishAndReleaseAll();
  }

  private static ByteBuf bytes(String s) {
    return Unpooled.copiedBuffer(s, StandardCharsets.UTF_8);
  }

  @Test
  void acknowledgementsReachTheListenerEvenWhenFragmented() {
    String two = "{\"type\":\"ack\",\"id\":\"m-1\"}\n{\"type\":\"ack\",\"id\":\"m-2\"}\r\n";
    outbound.writeInbound(bytes(two.substring(0, 7)));
    outbound.writeInbound(bytes(two.substring(7, 30)));
    outbound.writeInbound(bytes(two.substring(30)));

    assertThat(acked).containsExactly("m-1", "m-2");
    assertThat(outbound.isOpen()).isTrue();
  }

  @Test
  void theReceiverWritesAnAckAsOneTypedLineAfterTheChatLineItAnswers() {
    EmbeddedChannel inbound =
        new EmbeddedChannel(
            new LineFrameDecoder(1024),
            ChatLineDecoder.INSTANCE,
            PeerLineEncoder.INSTANCE,
            new InboundMessageHandler(message -> InboundSink.Outcome.ACKNOWLEDGE.now()));
    try {
      inbound.writeInbound(
          bytes("{\"from\":\"alice\",\"content\":\"hi\",\"timestamp\":1,\"id\":\"m-1\"}\n"));
      ByteBuf out = inbound.readOutbound();
      try {
        assertThat(out.toString(StandardCharsets.UTF_8))
            .isEqualTo("{\"type\":\"ack\",\"id\":\"m-1\"}\n");
      } finally {
        out.release();
      }
      // And the sender's side reads exactly those bytes back.
      outbound.writeInbound(bytes("{\"type\":\"ack\",\"id\":\"m-1\"}\n"));
      assertThat(acked).containsExactly("m-1");
    } finally {
      inbound.finishAndReleaseAll();
    }
  }

  @Test
  void aMalformedReplyClosesTheConnection() {
    outbound.writeInbound(bytes("{\"type\":\"ack\",\"id\":\n"));
    assertThat(outbound.isOpen()).isFalse();
    assertThat(acked).isEmpty();
  }

  @Test
  void anAckWithoutAnIdOrWithAnOverlongIdClosesTheConnection() {
    outbound.writeInbound(bytes("{\"type\":\"ack\"}\n"));
    assertThat(outbound.isOpen()).isFalse();

    EmbeddedChannel other =
        new EmbeddedChannel(
            new LineFrameDecoder(MessagingPipeline.MAX_REPLY_LINE_BYTES),
            PeerLineDecoder.INSTANCE,
            new AckHandler((from, id) -> true),
            OutboundConnectionHandler.INSTANCE);
    other.writeInbound(bytes("{\"type\":\"ack\",\"id\":\"" + "x".repeat(300) + "\"}\n"));
    assertThat(other.isOpen()).isFalse();
    other.finishAndReleaseAll();
  }

  @Test
  void anOversizedReplyLineClosesTheConnectionWithoutBufferingIt() {
    outbound.writeInbound(bytes("{\"type\":\"ack\",\"id\":\"" + "x".repeat(2000)));
    assertThat(outbound.isOpen()).isFalse();
    assertThat(acked).isEmpty();
  }

  @Test
  void anUnknownTypeFromAPeerClosesTheConnection() {
    outbound.writeInbound(bytes("{\"type\":\"receipt\",\"id\":\"m-1\"}\n"));
    assertThat(outbound.isOpen()).isFalse();
  }

  @Test
  void acksForUnknownIdsAreIgnoredUntilAFloodOfThemClosesTheConnection() {
    StringBuilder flood = new StringBuilder();
    for (int i = 0; i < AckHandler.UNMATCHED_BUDGET; i++) {
      flood.append("{\"type\":\"ack\",\"id\":\"nope-").append(i).append("\"}\n");
    }
    outbound.writeInbound(bytes(flood.toString()));
    assertThat(outbound.isOpen()).isTrue();
    // A matched ack earns one more unexpected line.
    outbound.writeInbound(bytes("{\"type\":\"ack\",\"id\":\"m-1\"}\n"));
    outbound.writeInbound(bytes("{\"type\":\"ack\",\"id\":\"late\"}\n"));
    assertThat(outbound.isOpen()).isTrue();

    outbound.writeInbound(bytes("{\"type\":\"ack\",\"id\":\"one-too-many\"}\n"));
    assertThat(outbound.isOpen()).isFalse();
  }

  @Test
  void chatLinesWrittenBackCountAsUnexpected() {
    StringBuilder lines = new StringBuilder();
    for (int i = 0; i <= AckHandler.UNMATCHED_BUDGET; i++) {
      lines.append("{\"from\":\"bob\",\"content\":\"x\",\"timestamp\":1}\n");
    }
    outbound.writeInbound(bytes(lines.toString()));
    assertThat(outbound.isOpen()).isFalse();
    assertThat(acked).isEmpty();
  }

  @Test
  void ourChatLinesStillGoOutUnchanged() {
    outbound.writeOutbound(new ChatLine("alice", "hi", 7, "m-1"));
    ByteBuf out = outbound.readOutbound();
    try {
      assertThat(out.toString(StandardCharsets.UTF_8))
          .isEqualTo("{\"from\":\"alice\",\"content\":\"hi\",\"timestamp\":7,\"id\":\"m-1\"}\n");
    } finally {
      out.release();
    }
  }
}
