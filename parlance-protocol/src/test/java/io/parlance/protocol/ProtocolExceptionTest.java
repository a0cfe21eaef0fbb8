package io.parlance.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.parlance.protocol.json.WireJson;
import io.parlance.protocol.wire.DiscoveryMessage;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProtocolExceptionTest {

  private static ProtocolException rejection(String json) {
    try {
      WireJson.read(
          Unpooled.wrappedBuffer(json.getBytes(StandardCharsets.UTF_8)), DiscoveryMessage.class);
    } catch (ProtocolException e) {
      return e;
    }
    throw new AssertionError("accepted: " + json);
  }

  @Test
  void aRejectionQuotingHostileInputKeepsItOnOneLineWithItsControlCharactersEscaped() {
    // Found by DiscoveryDecoderFuzzTest: the unknown type was quoted raw, line break included, so
    // one datagram could write a forged line into the log.
    ProtocolException e =
        rejection("{\"type\":\"x\\n12:00:00 WARN forged\\u001b[2K\\u0007\\u202e\"}");

    assertThat(e.kind()).isEqualTo(ProtocolError.UNKNOWN_TYPE);
    assertThat(e.getMessage())
        .isEqualTo("unknown type 'x\\u000a12:00:00 WARN forged\\u001b[2K\\u0007\\u202e'");
  }

  @Test
  void aRejectionQuotingLongInputIsCutToTheLimit() {
    ProtocolException e = rejection("{\"type\":\"" + "t".repeat(100_000) + "\"}");

    assertThat(e.getMessage())
        .hasSize(ProtocolException.MAX_MESSAGE_CHARS + 3)
        .startsWith("unknown type 'ttt")
        .endsWith("t...");
  }
}
