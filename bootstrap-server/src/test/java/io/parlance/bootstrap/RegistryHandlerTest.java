package io.parlance.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.parlance.protocol.ProtocolError;
import io.parlance.protocol.ProtocolException;
import io.parlance.protocol.bootstrap.BootstrapProtocol;
import io.parlance.protocol.bootstrap.ClientFrame;
import io.parlance.protocol.bootstrap.ErrorCode;
import io.parlance.protocol.bootstrap.PeerInfo;
import io.parlance.protocol.bootstrap.ServerFrame;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The registry logic on an {@link EmbeddedChannel}: frames in, frames out, no sockets. */
class RegistryHandlerTest {

  private final ServerState state =
      new ServerState(BootstrapServerConfig.builder().maxStrikes(3).build());
  private final EmbeddedChannel channel = newChannel();

  private EmbeddedChannel newChannel() {
    EmbeddedChannel ch = new EmbeddedChannel(new RegistryHandler(state));
    ch.attr(ServerState.CLIENT_IP).set(InetAddress.getLoopbackAddress());
    return ch;
  }

  @AfterEach
  void close() {
    channel.finishAndReleaseAll();
    state.metrics.close();
  }

  @Test
  void aRegistrationIsAnsweredWithTheAddressAndAFirstPage() {
    channel.writeInbound(new ClientFrame.Register("alice", 4000, null));
    assertThat(channel.<Object>readOutbound())
        .isEqualTo(new ServerFrame.Registered("alice", "127.0.0.1:4000", 1));
    assertThat(channel.<Object>readOutbound())
        .isEqualTo(
            new ServerFrame.Peers(
                List.of(new PeerInfo("alice", "127.0.0.1:4000", null)), null, null));
    assertThat(state.registry.lookup("alice")).isPresent();
    assertThat(state.broadcaster.subscriberCount()).isEqualTo(1);
  }

  @Test
  void aLookupOnlyPeerGetsNoPageAndNoEvents() {
    channel.writeInbound(new ClientFrame.Register("alice", 4000, null, false));
    assertThat(channel.<Object>readOutbound()).isInstanceOf(ServerFrame.Registered.class);
    assertThat(channel.<Object>readOutbound()).isNull();
    assertThat(state.broadcaster.subscriberCount()).isZero();
  }

  @Test
  void aHeldNicknameIsRefused() {
    EmbeddedChannel other = newChannel();
    other.writeInbound(new ClientFrame.Register("alice", 1, null));
    channel.writeInbound(new ClientFrame.Register("alice", 2, null));
    ServerFrame.Error error = channel.readOutbound();
    assertThat(error.code()).isEqualTo(ErrorCode.NICKNAME_TAKEN);
    other.finishAndReleaseAll();
    assertThat(state.registry.lookup("alice")).isEmpty();
  }

  @Test
  void closingTheChannelEndsTheRegistration() {
    channel.writeInbound(new ClientFrame.Register("alice", 1, null));
    channel.close();
    assertThat(state.registry.size()).isZero();
    assertThat(state.broadcaster.subscriberCount()).isZero();
  }

  @Test
  void badInputIsAnsweredThenTheConnectionIsClosedWithPolicyViolation() {
    channel
        .pipeline()
        .fireExceptionCaught(new ProtocolException(ProtocolError.MALFORMED_JSON, "bad json"));
    assertThat(((ServerFrame.Error) channel.readOutbound()).code())
        .isEqualTo(ErrorCode.MALFORMED_FRAME);
    channel
        .pipeline()
        .fireExceptionCaught(new ProtocolException(ProtocolError.UNKNOWN_TYPE, "unknown type 'x'"));
    assertThat(((ServerFrame.Error) channel.readOutbound()).code())
        .isEqualTo(ErrorCode.UNKNOWN_TYPE);
    channel.writeInbound(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(new byte[] {1})));
    assertThat(((ServerFrame.Error) channel.readOutbound()).code())
        .isEqualTo(ErrorCode.UNSUPPORTED_FRAME);
    CloseWebSocketFrame close = channel.readOutbound();
    try {
      assertThat(close.statusCode()).isEqualTo(BootstrapProtocol.CLOSE_POLICY_VIOLATION);
    } finally {
      close.release();
    }
    assertThat(channel.isOpen()).isFalse();
  }

  @Test
  void requestsNeedARegistration() {
    channel.writeInbound(new ClientFrame.ListPeers(null, null, "p"));
    assertThat(channel.<Object>readOutbound())
        .isEqualTo(new ServerFrame.Error(ErrorCode.NOT_REGISTERED, "register first", "p"));
  }
}
