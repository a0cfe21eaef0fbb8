package io.parlance.protocol.bootstrap;

import static io.parlance.protocol.fuzz.FuzzChecks.decodeOrReject;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;

/**
 * Fuzzes the bootstrap frames each side reads from a WebSocket, in either dialect (ours or the Rust
 * Parlance's): any text frame is either a valid frame of the side's direction that survives an
 * encode and a decode unchanged, or a {@link ProtocolException} with a bounded message; and every
 * frame's buffer is released.
 */
class BootstrapFrameFuzzTest {

  @FuzzTest
  void anyFrameTheServerReadsIsAClientFrameThatRoundTripsOrACleanRejection(byte[] bytes) {
    BootstrapFrame frame = decode(BootstrapFrameDecoder.CLIENT_FRAMES, bytes);
    if (frame != null) {
      assertThat(frame).isInstanceOfAny(ClientFrame.class, RustClientFrame.class);
      assertThat(roundTrip(frame, true)).isEqualTo(frame);
    }
  }

  @FuzzTest
  void anyFrameAPeerReadsIsAServerFrameThatRoundTripsOrACleanRejection(byte[] bytes) {
    BootstrapFrame frame = decode(BootstrapFrameDecoder.SERVER_FRAMES, bytes);
    if (frame != null) {
      assertThat(frame).isInstanceOfAny(ServerFrame.class, RustServerFrame.class);
      assertThat(roundTrip(frame, false)).isEqualTo(frame);
    }
  }

  private static BootstrapFrame roundTrip(BootstrapFrame frame, boolean client) {
    ByteBuf encoded = BootstrapCodec.encode(ByteBufAllocator.DEFAULT, frame);
    try {
      return client
          ? BootstrapCodec.readAnyClientFrame(encoded, BootstrapProtocol.MAX_SERVER_FRAME_BYTES)
          : BootstrapCodec.readAnyServerFrame(encoded, BootstrapProtocol.MAX_SERVER_FRAME_BYTES);
    } finally {
      encoded.release();
    }
  }

  private static BootstrapFrame decode(BootstrapFrameDecoder decoder, byte[] bytes) {
    TextWebSocketFrame frame =
        new TextWebSocketFrame(Unpooled.buffer(bytes.length).writeBytes(bytes));
    return decodeOrReject(decoder, frame, BootstrapFrame.class, e -> {});
  }
}
