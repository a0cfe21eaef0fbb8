package io.parlance.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.DefaultChannelId;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.ReferenceCountUtil;
import io.parlance.bootstrap.registry.PeerEntry;
import io.parlance.protocol.bootstrap.BootstrapProtocol;
import io.parlance.protocol.bootstrap.ClientFrame;
import io.parlance.protocol.bootstrap.ErrorCode;
import io.parlance.protocol.bootstrap.PeerInfo;
import io.parlance.protocol.bootstrap.ServerFrame;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Registrations with identities on {@link EmbeddedChannel}s: the challenge, the proof, and the
 * binding of a nickname to the key that holds it.
 */
class SignedRegistrationTest {

  private static final TestKeys ALICE = TestKeys.generate();
  private static final TestKeys MALLORY = TestKeys.generate();

  private final ServerState state =
      new ServerState(BootstrapServerConfig.builder().maxStrikes(3).build());
  private final List<EmbeddedChannel> channels = new ArrayList<>();

  @AfterEach
  void close() {
    channels.forEach(EmbeddedChannel::finishAndReleaseAll);
    state.metrics.close();
  }

  /** A connection whose WebSocket handshake is done; returns it with the challenge read. */
  private Connection connect() {
    // Each with its own id: registrations are owned by their channel's id.
    EmbeddedChannel ch = new EmbeddedChannel(DefaultChannelId.newInstance(), newHandler());
    ch.attr(ServerState.CLIENT_IP).set(InetAddress.getLoopbackAddress());
    channels.add(ch);
    ch.pipeline()
        .fireUserEventTriggered(
            new WebSocketServerProtocolHandler.HandshakeComplete(
                "/",
                new DefaultHttpHeaders()
                    .add(BootstrapProtocol.DIALECT_HEADER, BootstrapProtocol.DIALECT_VERSION),
                null));
    ServerFrame.Challenge challenge = ch.readOutbound();
    return new Connection(ch, challenge.nonce());
  }

  private RegistryHandler newHandler() {
    return new RegistryHandler(state);
  }

  private record Connection(EmbeddedChannel channel, String nonce) {
    ServerFrame send(ClientFrame frame) {
      channel.writeInbound(frame);
      return channel.readOutbound();
    }

    ServerFrame.Error refused(ClientFrame frame) {
      return (ServerFrame.Error) send(frame);
    }
  }

  @Test
  void everyConnectionIsChallengedFirstWithItsOwnNonce() {
    Connection a = connect();
    Connection b = connect();
    assertThat(a.nonce()).isNotEqualTo(b.nonce());
    assertThat(a.channel().<Object>readOutbound()).isNull();
  }

  @Test
  void aSignedRegistrationIsAcceptedAndOthersGetWhatTheyNeedToCheckIt() {
    Connection alice = connect();
    ClientFrame.Register register = ALICE.register("alice", 4000, alice.nonce());
    assertThat(alice.send(register))
        .isEqualTo(new ServerFrame.Registered("alice", "127.0.0.1:4000", 1));
    ServerFrame.Peers page = alice.channel().readOutbound();
    PeerInfo seen = page.peers().get(0);
    assertThat(seen)
        .isEqualTo(
            new PeerInfo(
                "alice",
                "127.0.0.1:4000",
                null,
                ALICE.id(),
                ALICE.key(),
                List.of("tls", "ack"),
                alice.nonce(),
                register.sig()));
    assertThat(seen.identityProblem()).isEmpty();
    assertThat(state.registry.lookup("alice"))
        .get()
        .extracting(PeerEntry::id)
        .isEqualTo(ALICE.id());
  }

  /** Ways to register under Alice's id without holding Alice's key, and what gives each away. */
  static Stream<Arguments> forgeries() {
    Map<String, BiFunction<Connection, String, ClientFrame.Register>> forgeries =
        Map.of(
            "Alice's id with Mallory's key, signed by Mallory",
            (c, other) ->
                MALLORY.signed(TestKeys.unsigned("alice", 1, ALICE.id(), MALLORY.key()), c.nonce()),
            "Alice's id and key, signed by Mallory",
            (c, other) -> MALLORY.signed(ALICE.register("alice", 1, c.nonce()), c.nonce()),
            "Alice's registration replayed from another connection",
            (c, other) -> ALICE.register("alice", 1, other),
            "Alice's id and key with no signature",
            (c, other) -> TestKeys.unsigned("alice", 1, ALICE.id(), ALICE.key()),
            "Alice's id alone",
            (c, other) -> TestKeys.unsigned("alice", 1, ALICE.id(), null));
    Map<String, String> giveaways =
        Map.of(
            "Alice's id with Mallory's key, signed by Mallory", "'id' is not the fingerprint",
            "Alice's id and key, signed by Mallory", "'sig' is not a signature",
            "Alice's registration replayed from another connection", "'sig' is not a signature",
            "Alice's id and key with no signature", "needs all of",
            "Alice's id alone", "needs all of");
    return forgeries.entrySet().stream()
        .map(e -> Arguments.of(e.getKey(), e.getValue(), giveaways.get(e.getKey())));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("forgeries")
  void aForgedRegistrationCarryingSomeoneElsesIdIsRefused(
      String forgery, BiFunction<Connection, String, ClientFrame.Register> forge, String giveaway) {
    Connection elsewhere = connect();
    Connection mallory = connect();
    ServerFrame.Error error = mallory.refused(forge.apply(mallory, elsewhere.nonce()));
    assertThat(error.code()).isEqualTo(ErrorCode.BAD_SIGNATURE);
    assertThat(error.message()).contains("'alice'").contains(giveaway);
    assertThat(state.registry.size()).isZero();
  }

  @Test
  void aForgeryCannotTakeANicknameFromItsOnlineHolder() {
    Connection alice = connect();
    alice.send(ALICE.register("alice", 4000, alice.nonce()));
    Connection mallory = connect();
    ClientFrame.Register forged =
        MALLORY.signed(
            TestKeys.unsigned("alice", 6666, ALICE.id(), MALLORY.key()), mallory.nonce());
    assertThat(mallory.refused(forged).code()).isEqualTo(ErrorCode.BAD_SIGNATURE);
    assertThat(state.registry.lookup("alice").orElseThrow().owner())
        .isEqualTo(alice.channel().id().asLongText());
    assertThat(alice.channel().isActive()).isTrue();
  }

  @Test
  void aKeyThatIsNotEd25519IsRefused() {
    TestKeys ec = TestKeys.generate("EC");
    Connection c = connect();
    ServerFrame.Error error =
        c.refused(ALICE.signed(TestKeys.unsigned("ec", 1, ec.id(), ec.key()), c.nonce()));
    assertThat(error.code()).isEqualTo(ErrorCode.BAD_SIGNATURE);
    assertThat(error.message()).contains("not a base64 Ed25519 public key");
  }

  @Test
  void anIdentityWithoutAChallengeIsRefused() {
    EmbeddedChannel unchallenged =
        new EmbeddedChannel(DefaultChannelId.newInstance(), newHandler());
    unchallenged.attr(ServerState.CLIENT_IP).set(InetAddress.getLoopbackAddress());
    channels.add(unchallenged);
    unchallenged.writeInbound(ALICE.register("alice", 1, "AAAA"));
    ServerFrame.Error error = unchallenged.readOutbound();
    assertThat(error.code()).isEqualTo(ErrorCode.BAD_SIGNATURE);
    assertThat(error.message()).contains("no challenge");
  }

  @Test
  void aNicknameHeldByOneKeyIsRefusedToAnother() {
    Connection alice = connect();
    alice.send(ALICE.register("alice", 4000, alice.nonce()));
    Connection mallory = connect();
    ServerFrame.Error error = mallory.refused(MALLORY.register("alice", 6666, mallory.nonce()));
    assertThat(error.code()).isEqualTo(ErrorCode.NICKNAME_TAKEN);
    assertThat(state.registry.lookup("alice").orElseThrow().id()).isEqualTo(ALICE.id());
    assertThat(alice.channel().isActive()).isTrue();
  }

  @Test
  void theSameKeyReconnectingTakesItsNicknameBackAtOnceAndTheOldConnectionIsDropped() {
    Connection before = connect();
    before.send(ALICE.register("alice", 4000, before.nonce()));
    before.channel().readOutbound(); // the first page

    Connection after = connect();
    assertThat(after.send(ALICE.register("alice", 4001, after.nonce())))
        .isEqualTo(new ServerFrame.Registered("alice", "127.0.0.1:4001", 1));
    PeerEntry holder = state.registry.lookup("alice").orElseThrow();
    assertThat(holder.owner()).isEqualTo(after.channel().id().asLongText());
    assertThat(holder.nonce()).isEqualTo(after.nonce());
    assertThat(state.registry.size()).isEqualTo(1);
    assertThat(state.metrics.registrationsReplaced.count()).isEqualTo(1.0);

    ServerFrame.Error told = before.channel().readOutbound();
    assertThat(told.code()).isEqualTo(ErrorCode.REPLACED);
    CloseWebSocketFrame close = before.channel().readOutbound();
    try {
      assertThat(close.statusCode()).isEqualTo(BootstrapProtocol.CLOSE_NORMAL);
    } finally {
      close.release();
    }
    assertThat(before.channel().isOpen()).isFalse();
    // The old connection's end does not end the new registration.
    assertThat(state.registry.lookup("alice")).contains(holder);
    assertThat(state.broadcaster.subscriberCount()).isEqualTo(1);
  }

  @Test
  void aPlainRegistrationCannotTakeANicknameHeldByAKey() {
    Connection alice = connect();
    alice.send(ALICE.register("alice", 4000, alice.nonce()));
    Connection plain = connect();
    assertThat(plain.refused(new ClientFrame.Register("alice", 5000, null)).code())
        .isEqualTo(ErrorCode.NICKNAME_TAKEN);
    assertThat(state.registry.lookup("alice").orElseThrow().id()).isEqualTo(ALICE.id());
  }

  @Test
  void aKeyTakesANicknameFromAPlainHolderWhoIsToldAndClosed() {
    Connection plain = connect();
    plain.send(new ClientFrame.Register("alice", 5000, null));
    plain.channel().outboundMessages().clear();
    Connection alice = connect();
    assertThat(alice.send(ALICE.register("alice", 4000, alice.nonce())))
        .isInstanceOf(ServerFrame.Registered.class);
    assertThat(state.registry.lookup("alice").orElseThrow().id()).isEqualTo(ALICE.id());
    ServerFrame.Error told = plain.channel().readOutbound();
    assertThat(told.code()).isEqualTo(ErrorCode.NICKNAME_TAKEN);
    assertThat(told.message()).contains("proves its key");
    Object close = plain.channel().readOutbound();
    try {
      assertThat(close).isInstanceOf(CloseWebSocketFrame.class);
    } finally {
      ReferenceCountUtil.release(close);
    }
  }

  @Test
  void plainRegistrationsWorkAsBeforeOnAChallengedConnection() {
    Connection plain = connect();
    assertThat(plain.send(new ClientFrame.Register("bob", 5000, null)))
        .isEqualTo(new ServerFrame.Registered("bob", "127.0.0.1:5000", 1));
    ServerFrame.Peers page = plain.channel().readOutbound();
    assertThat(page.peers()).containsExactly(new PeerInfo("bob", "127.0.0.1:5000", null));
  }
}
