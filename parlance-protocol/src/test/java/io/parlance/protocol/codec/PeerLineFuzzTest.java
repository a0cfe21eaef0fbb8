package io.parlance.protocol.codec;

import static io.parlance.protocol.fuzz.FuzzChecks.assertCleanRejection;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.parlance.protocol.Nickname;
import io.parlance.protocol.ProtocolException;
import io.parlance.protocol.json.WireJson;
import io.parlance.protocol.wire.Ack;
import io.parlance.protocol.wire.ChatLine;
import io.parlance.protocol.wire.PeerLine;

/**
 * Fuzzes the chat and ack lines a peer reads from TCP, through both line decoders: any bytes are
 * either a valid line that survives a write and a read unchanged, or a {@link ProtocolException}
 * with a bounded message; and the line's buffer is always released.
 */
class PeerLineFuzzTest {

  @FuzzTest
  void anyLineIsAValidPeerLineThatRoundTripsOrACleanRejection(byte[] bytes) {
    PeerLine line = decode(PeerLineDecoder.INSTANCE, bytes, PeerLine.class);
    if (line instanceof ChatLine chat) {
      assertValid(chat);
    } else if (line instanceof Ack ack) {
      assertThat(ack.id()).isNotEmpty();
    }
    if (line != null) {
      assertThat(WireJson.read(Unpooled.wrappedBuffer(WireJson.toBytes(line)), PeerLine.class))
          .isEqualTo(line);
    }
  }

  @FuzzTest
  void anyLineIsAValidChatLineThatRoundTripsOrACleanRejection(byte[] bytes) {
    ChatLine chat = decode(ChatLineDecoder.INSTANCE, bytes, ChatLine.class);
    if (chat != null) {
      assertValid(chat);
      byte[] written = WireJson.toBytes(chat);
      assertThat(WireJson.read(Unpooled.wrappedBuffer(written), ChatLine.class)).isEqualTo(chat);
      // What we write is one line: a chat line never breaks the framing it travels in.
      assertThat(written).doesNotContain((byte) '\n');
    }
  }

  private static void assertValid(ChatLine chat) {
    assertThat(Nickname.problem(chat.from())).isEmpty();
    assertThat(chat.content()).isNotNull();
    assertThat(chat.id()).isNotEqualTo("");
  }

  /** Decodes through the handler as the pipeline does; null when the line was rejected. */
  static <T> T decode(io.netty.channel.ChannelHandler decoder, byte[] bytes, Class<T> type) {
    EmbeddedChannel channel = new EmbeddedChannel(decoder);
    ByteBuf in = Unpooled.buffer(bytes.length).writeBytes(bytes);
    T decoded = null;
    try {
      channel.writeInbound(in);
      Object out = channel.readInbound();
      assertThat(out).isInstanceOf(type);
      decoded = type.cast(out);
    } catch (ProtocolException e) {
      assertCleanRejection(e);
    } finally {
      assertThat(in.refCnt()).as("line released").isZero();
      channel.finishAndReleaseAll();
    }
    return decoded;
  }
}
