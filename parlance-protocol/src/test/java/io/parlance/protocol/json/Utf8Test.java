package io.parlance.protocol.json;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Utf8Test {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "41",
        "c3a9",
        "e5908d",
        "f09f9880",
        "efbfbf",
        "f48fbfbf",
        "ee8080",
        "c280",
        "e0a080"
      })
  void acceptsWellFormedSequences(String hex) {
    byte[] bytes = HexFormat.of().parseHex(hex);
    assertThat(Utf8.isValid(bytes, 0, bytes.length)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "80", // a continuation byte alone
        "c0af", // overlong '/'
        "c1bf", // overlong
        "e080af", // overlong three-byte
        "eda080", // surrogate U+D800
        "edbfbf", // surrogate U+DFFF
        "f08080af", // overlong four-byte
        "f4908080", // above U+10FFFF
        "f5808080", // lead byte beyond the range
        "ff",
        "c3", // cut short
        "e590", // cut short
        "f09f98", // cut short
        "c341", // missing continuation
        "e54141"
      })
  void rejectsMalformedSequences(String hex) {
    byte[] bytes = HexFormat.of().parseHex(hex);
    assertThat(Utf8.isValid(bytes, 0, bytes.length)).isFalse();
  }

  @Test
  void checksOnlyTheGivenRange() {
    byte[] bytes = "\u00e9abc\u00e9".getBytes(StandardCharsets.UTF_8);
    assertThat(Utf8.isValid(bytes, 2, 3)).isTrue();
    assertThat(Utf8.isValid(bytes, 1, 3)).isFalse(); // starts on a continuation byte
    assertThat(Utf8.isValid(bytes, 0, 1)).isFalse(); // cuts the é short
  }

  @Test
  void agreesWithNettyOnAMillionRandomSequences() {
    Random random = new Random(20_251_121);
    // Bytes biased towards lead and continuation bytes near the edges of the valid ranges.
    int[] interesting = {
      0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1,
      0xec, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf3, 0xf4, 0xf5, 0xff
    };
    for (int n = 0; n < 1_000_000; n++) {
      byte[] bytes = new byte[1 + random.nextInt(6)];
      for (int i = 0; i < bytes.length; i++) {
        bytes[i] =
            (byte)
                (random.nextBoolean()
                    ? interesting[random.nextInt(interesting.length)]
                    : random.nextInt(256));
      }
      boolean netty = ByteBufUtil.isText(Unpooled.wrappedBuffer(bytes), StandardCharsets.UTF_8);
      assertThat(Utf8.isValid(bytes, 0, bytes.length))
          .as("%s", HexFormat.of().formatHex(bytes))
          .isEqualTo(netty);
    }
  }
}
