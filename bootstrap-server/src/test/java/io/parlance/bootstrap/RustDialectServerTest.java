package io.parlance.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;
import static org.awaitility.Awaitility.await;

import io.parlance.protocol.bootstrap.BootstrapFrame;
import io.parlance.protocol.bootstrap.ClientFrame;
import io.parlance.protocol.bootstrap.ErrorCode;
import io.parlance.protocol.bootstrap.PeerInfo;
import io.parlance.protocol.bootstrap.RustPeerInfo;
import io.parlance.protocol.bootstrap.RustServerFrame;
import io.parlance.protocol.bootstrap.ServerFrame;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Rust Parlance clients (raw WebSocket clients sending exactly what the Rust client sends) on our
 * server beside ours, and the nickname rules between them (issues 16 and 22).
 */
class RustDialectServerTest {

  private static final TestKeys ALICE = TestKeys.generate();
  private static final TestKeys MALLORY = TestKeys.generate();

  private final List<AutoCloseable> toClose = new ArrayList<>();
  private BootstrapServer server;

  @AfterEach
  void stopEverything() throws Exception {
    for (AutoCloseable c : toClose) {
      c.close();
    }
    if (server != null) {
      server.stop();
    }
  }

  private void startServer(Consumer<BootstrapServerConfig.Builder> settings) throws Exception {
    BootstrapServerConfig.Builder b =
        BootstrapServerConfig.builder()
            .host("127.0.0.1")
            .port(0)
            .batchInterval(Duration.ofMillis(50))
            .registrationRatePerIp(1000, 1000)
            .maxConnectionsPerIp(1000);
    settings.accept(b);
    server = BootstrapServer.start(b.build());
  }

  private URI uri() {
    return URI.create("ws://127.0.0.1:" + server.port() + "/");
  }

  private WsTestClient ours() throws Exception {
    WsTestClient c = WsTestClient.connect(uri());
    toClose.add(0, c);
    return c;
  }

  private WsTestClient rust() throws Exception {
    WsTestClient c = WsTestClient.connectRust(uri());
    toClose.add(0, c);
    return c;
  }

  /** What the Rust client sends first, right after the handshake. */
  private static String rustRegister(String nickname, String localAddr) {
    return "{\"type\":\"register\",\"nickname\":\""
        + nickname
        + "\",\"local_addr\":\""
        + localAddr
        + "\"}";
  }

  private static WsTestClient keyedAlice(WsTestClient c) throws Exception {
    String nonce = c.await(ServerFrame.Challenge.class).nonce();
    c.send(ALICE.register("alice", 4001, nonce));
    c.await(ServerFrame.Registered.class);
    return c;
  }

  /** Waits for the event in which the nickname joins, skipping others. */
  private static PeerInfo joined(WsTestClient c, String nickname) throws Exception {
    while (true) {
      for (PeerInfo p : c.await(ServerFrame.PeersChanged.class).joined()) {
        if (p.nickname().equals(nickname)) {
          return p;
        }
      }
    }
  }

  /** The next frame, whatever it is. */
  private static BootstrapFrame next(WsTestClient c) throws Exception {
    return c.await(BootstrapFrame.class);
  }

  @Test
  void aRustPeerAndOneOfOursRegisterOnTheSamePortAndSeeEachOther() throws Exception {
    startServer(b -> {});
    WsTestClient bob = ours();
    bob.await(ServerFrame.Challenge.class);
    bob.register("bob", 4002);
    bob.await(ServerFrame.Peers.class);

    WsTestClient carol = rust();
    carol.sendText(rustRegister("carol", "192.168.1.100:5000"));
    carol.sendText("{\"type\":\"list_peers\"}");
    // No challenge first: the Rust client would fail on it.
    BootstrapFrame first = next(carol);
    assertThat(first).isInstanceOf(RustServerFrame.Registered.class);
    RustServerFrame.Registered registered = (RustServerFrame.Registered) first;
    assertThat(registered.publicAddr()).isEqualTo("127.0.0.1:5000");
    RustServerFrame.PeerList list = (RustServerFrame.PeerList) next(carol);
    assertThat(list.peers())
        .extracting(RustPeerInfo::nickname, RustPeerInfo::publicAddr)
        .containsExactly(tuple("bob", "127.0.0.1:4002"), tuple("carol", "127.0.0.1:5000"));
    assertThat(list.peers().get(1).peerId()).isEqualTo(registered.peerId());
    assertThat(list.peers().get(0).peerId()).isNotEqualTo(registered.peerId());

    // Ours hears of the Rust peer as a plain one, at the port it can take plain lines on.
    assertThat(joined(bob, "carol")).isEqualTo(new PeerInfo("carol", "127.0.0.1:5000", null));
  }

  @Test
  void aRustHeartbeatIsNotAnsweredAndItsUnregisterEndsTheRegistration() throws Exception {
    startServer(b -> {});
    WsTestClient carol = rust();
    carol.sendText(rustRegister("carol", "10.0.0.5:5000"));
    assertThat(next(carol)).isInstanceOf(RustServerFrame.Registered.class);
    carol.sendText("{\"type\":\"heartbeat\"}");
    carol.sendText("{\"type\":\"list_peers\"}");
    assertThat(next(carol)).isInstanceOf(RustServerFrame.PeerList.class);
    carol.sendText("{\"type\":\"unregister\"}");
    await().atMost(Duration.ofSeconds(10)).until(() -> server.registry().size() == 0);
    carol.sendText("{\"type\":\"heartbeat\"}");
    // Readable by the Rust client, which ignores the code.
    ServerFrame.Error error = (ServerFrame.Error) next(carol);
    assertThat(error.message()).isEqualTo("Not registered");
  }

  @Test
  void aConnectionThatSaysNothingIsChallengedAfterASecondAsOurOlderPeersExpect() throws Exception {
    startServer(b -> {});
    WsTestClient old = rust();
    assertThat(old.await(ServerFrame.Challenge.class).nonce()).isNotEmpty();
  }

  @Test
  void aRustRegistrationCannotTakeANicknameHeldByAKeyOnlineOrJustLeft() throws Exception {
    startServer(b -> {});
    WsTestClient alice = keyedAlice(ours());

    WsTestClient impostor = rust();
    impostor.sendText(rustRegister("alice", "127.0.0.1:6666"));
    ServerFrame.Error online = impostor.await(ServerFrame.Error.class);
    assertThat(online.code()).isEqualTo(ErrorCode.NICKNAME_TAKEN);

    alice.close();
    await().atMost(Duration.ofSeconds(10)).until(() -> server.registry().size() == 0);
    WsTestClient later = rust();
    later.sendText(rustRegister("alice", "127.0.0.1:6666"));
    ServerFrame.Error away = later.await(ServerFrame.Error.class);
    assertThat(away.code()).isEqualTo(ErrorCode.NICKNAME_TAKEN);
    assertThat(away.message()).contains("reserved for that key");
    assertThat(server.registry().lookup("alice")).isEmpty();
  }

  @Test
  void aPlainOrOtherKeyRegistrationOfANicknameWhoseKeyJustLeftIsRefusedAndTheKeyGetsItBack()
      throws Exception {
    startServer(b -> {});
    keyedAlice(ours()).close();
    await().atMost(Duration.ofSeconds(10)).until(() -> server.registry().size() == 0);

    WsTestClient plain = ours();
    plain.await(ServerFrame.Challenge.class);
    plain.send(new ClientFrame.Register("alice", 6666, null));
    assertThat(plain.await(ServerFrame.Error.class).code()).isEqualTo(ErrorCode.NICKNAME_TAKEN);

    WsTestClient mallory = ours();
    String nonce = mallory.await(ServerFrame.Challenge.class).nonce();
    mallory.send(MALLORY.register("alice", 6666, nonce));
    assertThat(mallory.await(ServerFrame.Error.class).code()).isEqualTo(ErrorCode.NICKNAME_TAKEN);

    keyedAlice(ours());
    assertThat(server.registry().lookup("alice").orElseThrow().id()).isEqualTo(ALICE.id());
  }

  @Test
  void withoutAHoldTheNicknameIsFreeOnceItsKeyLeft() throws Exception {
    startServer(b -> b.nicknameHold(Duration.ZERO, 0));
    keyedAlice(ours()).close();
    await().atMost(Duration.ofSeconds(10)).until(() -> server.registry().size() == 0);
    WsTestClient plain = ours();
    plain.await(ServerFrame.Challenge.class);
    assertThat(plain.register("alice", 6666).nickname()).isEqualTo("alice");
  }

  @Test
  void aKeyedRegistrationTakesItsNicknameFromAPlainHolderWhoIsToldAndClosed() throws Exception {
    startServer(b -> {});
    WsTestClient squatter = rust();
    squatter.sendText(rustRegister("alice", "127.0.0.1:6666"));
    assertThat(next(squatter)).isInstanceOf(RustServerFrame.Registered.class);
    WsTestClient watcher = ours();
    watcher.await(ServerFrame.Challenge.class);
    watcher.register("bob", 4002);
    ServerFrame.Peers page = watcher.await(ServerFrame.Peers.class);
    assertThat(page.peers()).extracting(PeerInfo::nickname).contains("alice");

    keyedAlice(ours());

    ServerFrame.Error told = squatter.await(ServerFrame.Error.class);
    assertThat(told.code()).isEqualTo(ErrorCode.NICKNAME_TAKEN);
    assertThat(squatter.closeCode()).isEqualTo(1000);
    assertThat(server.registry().lookup("alice").orElseThrow().id()).isEqualTo(ALICE.id());
    // Others see the plain one leave and the keyed one join.
    PeerInfo seen = joined(watcher, "alice");
    while (seen.id() == null) {
      // The squatter's own join may come in an event after the first page.
      seen = joined(watcher, "alice");
    }
    assertThat(seen.id()).isEqualTo(ALICE.id());
  }
}
