package io.parlance.protocol.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.parlance.protocol.ProtocolError;
import io.parlance.protocol.ProtocolException;
import io.parlance.protocol.json.WireJson;
import io.parlance.protocol.wire.ChatLine;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ChatLineWriterTest {

  /** Characters near every boundary the escaping and the UTF-8 encoding care about. */
  private static final char[] INTERESTING = {
    0x00, 0x01, 0x07, '\b', '\t', '\n', 0x0b, '\f', '\r', 0x1f, ' ', '"', '\\', '/', 'a', 0x7e,
    0x7f, 0x80, 0x9f, 0xa0, 0xe9, 0x7ff, 0x800, 0x2028, 0x2029, 0xfeff, 0xfffd, 0xffff
  };

  @Test
  void writesWhatTheObjectMapperWritesForTenThousandRandomLines() {
    Random random = new Random(8);
    for (int n = 0; n < 10_000; n++) {
      ChatLine line =
          new ChatLine(
              "n" + random.nextInt(1000),
              randomText(random, random.nextInt(40)),
              random.nextLong(),
              random.nextInt(3) == 0 ? "i" + randomText(random, random.nextInt(10)) : null);
      assertThat(write(line))
          .as("line %d", n)
          .isEqualTo(new String(WireJson.toBytes(line), StandardCharsets.UTF_8));
    }
  }

  @Test
  void leavesAnIdWithAnUnpairedSurrogateToJacksonAndAgreesWithIt() {
    for (String id : new String[] {"a\ud83d", "\ude00b", "x\ud83d\ud83d"}) {
      ChatLine line = new ChatLine("alice", "hi \"you\"", 1, id);
      String expected;
      try {
        expected = new String(WireJson.toBytes(line), StandardCharsets.UTF_8);
      } catch (ProtocolException e) {
        assertThat(e.kind()).isEqualTo(ProtocolError.UNENCODABLE);
        ByteBuf out = Unpooled.buffer();
        out.writeByte('x');
        try {
          assertThatThrownBy(() -> ChatLineWriter.write(out, line))
              .isInstanceOfSatisfying(
                  ProtocolException.class,
                  p -> assertThat(p.kind()).isEqualTo(ProtocolError.UNENCODABLE));
          assertThat(out.readableBytes()).as("nothing half-written").isEqualTo(1);
        } finally {
          out.release();
        }
        continue;
      }
      assertThat(write(line)).isEqualTo(expected);
    }
  }

  @Test
  void estimatesTheSizeOfAnAsciiLineGenerously() {
    ChatLine line = new ChatLine("alice", "hello", Long.MIN_VALUE, "id-1");
    assertThat(ChatLineWriter.estimatedBytes(line)).isGreaterThanOrEqualTo(write(line).length());
  }

  private static String write(ChatLine line) {
    ByteBuf out = Unpooled.buffer(4);
    try {
      ChatLineWriter.write(out, line);
      return out.toString(StandardCharsets.UTF_8);
    } finally {
      out.release();
    }
  }

  private static String randomText(Random random, int length) {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < length; i++) {
      switch (random.nextInt(4)) {
        case 0 -> text.append(INTERESTING[random.nextInt(INTERESTING.length)]);
        case 1 -> text.appendCodePoint(0x10000 + random.nextInt(0x100000)); // a surrogate pair
        case 2 -> text.append((char) (0x20 + random.nextInt(0x5f)));
        default -> {
          char c = (char) random.nextInt(0xd800);
          text.append(c);
        }
      }
    }
    return text.toString();
  }
}
