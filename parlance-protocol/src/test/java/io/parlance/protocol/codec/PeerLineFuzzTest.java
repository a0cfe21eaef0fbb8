package io.parlance.protocol.codec;

import static io.parlance.protocol.fuzz.FuzzChecks.decodeOrReject;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.parlance.protocol.Nickname;
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
    PeerLine line = decodeOrReject(PeerLineDecoder.INSTANCE, line(bytes), PeerLine.class, e -> {});
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
    ChatLine chat = decodeOrReject(ChatLineDecoder.INSTANCE, line(bytes), ChatLine.class, e -> {});
    if (chat != null) {
      assertValid(chat);
      byte[] written = WireJson.toBytes(chat);
      assertThat(WireJson.read(Unpooled.wrappedBuffer(written), ChatLine.class)).isEqualTo(chat);
      // What we write is one line: a chat line never breaks the framing it travels in.
      assertThat(written).doesNotContain((byte) '\n');
    }
  }

  private static ByteBuf line(byte[] bytes) {
    return Unpooled.buffer(bytes.length).writeBytes(bytes);
  }

  private static void assertValid(ChatLine chat) {
    assertThat(Nickname.problem(chat.from())).isEmpty();
    assertThat(chat.content()).isNotNull();
    assertThat(chat.id()).isNotEqualTo("");
  }
}
