package io.parlance.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.parlance.bootstrap.relay.RelayLimits;
import io.parlance.protocol.bootstrap.BootstrapProtocol;
import io.parlance.protocol.bootstrap.ClientFrame;
import io.parlance.protocol.bootstrap.PeerInfo;
import io.parlance.protocol.bootstrap.RelayFrames;
import io.parlance.protocol.bootstrap.ServerFrame;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The relay and the reachability probe over real sockets: pairing with single-use tokens, the
 * forwarding of opaque bytes both ways, backpressure, the operator's limits, and hostile joins.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RelayServerTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  private final List<AutoCloseable> toClose = new ArrayList<>();
  private BootstrapServer server;

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : toClose) {
      c.close();
    }
    if (server != null) {
      server.stop();
    }
  }

  private void startServer(UnaryOperator<RelayLimits> relay) throws Exception {
    server =
        BootstrapServer.start(
            BootstrapServerConfig.builder()
                .host("127.0.0.1")
                .port(0)
                .batchInterval(Duration.ofMillis(50))
                .registrationRatePerIp(1000, 1000)
                .maxConnectionsPerIp(1000)
                .relay(relay.apply(RelayLimits.DEFAULTS))
                .build());
  }

  private static RelayLimits limits(
      RelayLimits d, int perPeer, long bytesPerSecond, Duration idle, Duration join) {
    return new RelayLimits(
        true,
        perPeer,
        d.maxSessions(),
        bytesPerSecond,
        idle,
        join,
        d.probeTimeout(),
        d.probesPerSecond());
  }

  private WsTestClient client(String path) throws Exception {
    WsTestClient c = WsTestClient.connect(URI.create("ws://127.0.0.1:" + server.port() + path));
    toClose.add(c);
    return c;
  }

  private WsTestClient smallBufferClient(String path) throws Exception {
    WsTestClient c =
        WsTestClient.connect(
            URI.create("ws://127.0.0.1:" + server.port() + path), null, null, 64 * 1024);
    toClose.add(c);
    return c;
  }

  /** A peer registered with a key and the given capabilities. */
  private record Peer(String nickname, TestKeys keys, WsTestClient ws, ServerFrame.Registered r) {}

  private Peer keyed(String nickname, int port, List<String> caps) throws Exception {
    TestKeys keys = TestKeys.generate();
    WsTestClient ws = client("/");
    String nonce = ws.await(ServerFrame.Challenge.class).nonce();
    ClientFrame.Register unsigned =
        new ClientFrame.Register(nickname, port, null, null, keys.id(), keys.key(), caps, null);
    ws.send(keys.signed(unsigned, nonce));
    return new Peer(nickname, keys, ws, ws.await(ServerFrame.Registered.class));
  }

  private Peer relayable(String nickname, int port) throws Exception {
    return keyed(nickname, port, List.of("tls", "ack", RelayFrames.CAP));
  }

  /** Both sides of a paired session, joined on the relay path. */
  private record Pair(WsTestClient a, WsTestClient b) {}

  private Pair pair(Peer alice, Peer bob, boolean smallBufferForBob) throws Exception {
    alice.ws().send(new RelayFrames.Request(bob.nickname(), bob.keys().id(), "r1"));
    RelayFrames.Ready ready = alice.ws().await(RelayFrames.Ready.class);
    RelayFrames.Offer offer = bob.ws().await(RelayFrames.Offer.class);
    assertThat(ready.id()).isEqualTo("r1");
    assertThat(ready.peer()).isEqualTo(bob.keys().id());
    assertThat(offer.peer()).isEqualTo(alice.keys().id());
    assertThat(offer.nickname()).isEqualTo(alice.nickname());
    assertThat(offer.token()).isNotEqualTo(ready.token());
    WsTestClient a = client(RelayFrames.PATH);
    a.send(new RelayFrames.Join(ready.token()));
    WsTestClient b = smallBufferForBob ? smallBufferClient(RelayFrames.PATH) : client("/relay");
    b.send(new RelayFrames.Join(offer.token()));
    a.await(RelayFrames.Paired.class);
    b.await(RelayFrames.Paired.class);
    return new Pair(a, b);
  }

  @Test
  void theServerTellsAKeyedPeerWhetherAConnectionBackToItsPortWorks() throws Exception {
    startServer(l -> l);
    try (ServerSocket listening = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Peer open = relayable("open", listening.getLocalPort());
      assertThat(open.r().reachable()).isTrue();
      assertThat(open.r().address()).isEqualTo("127.0.0.1:" + listening.getLocalPort());
    }
    int closedPort;
    try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    Peer closed = relayable("closed", closedPort);
    assertThat(closed.r().reachable()).isFalse();
    // Others see it too, in the listing.
    closed.ws().send(new ClientFrame.Lookup("closed", "l1"));
    PeerInfo seen = closed.ws().await(ServerFrame.LookupResult.class).peer();
    assertThat(seen.reachable()).isFalse();
    assertThat(seen.identityProblem()).isEmpty();
    // A plain peer is not probed.
    WsTestClient plain = client("/");
    plain.await(ServerFrame.Challenge.class);
    assertThat(plain.register("plain", 1000).reachable()).isNull();
    assertThat(server.scrapeMetrics())
        .contains("bootstrap_probes_total{result=\"reachable\"} 1.0")
        .contains("bootstrap_probes_total{result=\"unreachable\"} 1.0");
  }

  @Test
  void twoKeyedPeersArePairedAndTheirBytesGoBothWaysUnchanged() throws Exception {
    startServer(l -> l);
    Peer alice = relayable("alice", 1001);
    Peer bob = relayable("bob", 1002);
    Pair pair = pair(alice, bob, false);
    pair.a().sendBinary("\u0016 opaque from alice".getBytes(StandardCharsets.UTF_8));
    assertThat(new String(pair.b().awaitBinary(), StandardCharsets.UTF_8))
        .isEqualTo("\u0016 opaque from alice");
    pair.b().sendBinary(new byte[] {0, 1, 2, (byte) 0xff});
    assertThat(pair.a().awaitBinary()).containsExactly(0, 1, 2, 0xff);
    String metrics = server.scrapeMetrics();
    assertThat(metrics)
        .contains("bootstrap_relay_sessions_paired 1.0")
        .contains("bootstrap_relay_bytes_total 23.0");
    // One side leaving ends the session for the other.
    pair.a().close();
    assertThat(pair.b().closeCode()).isEqualTo(BootstrapProtocol.CLOSE_NORMAL);
    await()
        .atMost(WAIT)
        .until(() -> server.scrapeMetrics().contains("bootstrap_relay_sessions 0.0"));
  }

  @Test
  void aTokenWorksOnceAndAnUnknownOneIsRefused() throws Exception {
    startServer(l -> l);
    Peer alice = relayable("alice", 1001);
    Peer bob = relayable("bob", 1002);
    alice.ws().send(new RelayFrames.Request("bob", bob.keys().id(), null));
    RelayFrames.Ready ready = alice.ws().await(RelayFrames.Ready.class);
    RelayFrames.Offer offer = bob.ws().await(RelayFrames.Offer.class);
    WsTestClient first = client(RelayFrames.PATH);
    first.send(new RelayFrames.Join(ready.token()));
    WsTestClient other = client(RelayFrames.PATH);
    other.send(new RelayFrames.Join(offer.token()));
    first.await(RelayFrames.Paired.class);
    WsTestClient again = client(RelayFrames.PATH);
    again.send(new RelayFrames.Join(ready.token()));
    assertThat(again.await(ServerFrame.Error.class).code()).isEqualTo(RelayFrames.REFUSED);
    assertThat(again.closeCode()).isEqualTo(BootstrapProtocol.CLOSE_POLICY_VIOLATION);
    WsTestClient guess = client(RelayFrames.PATH);
    guess.send(new RelayFrames.Join("A".repeat(RelayFrames.TOKEN_CHARS)));
    assertThat(guess.await(ServerFrame.Error.class).message()).contains("unknown or spent");
    assertThat(first.isOpen()).isTrue();
  }

  @Test
  void onlyPeersWithProvenKeysThatAcceptTheRelayArePaired() throws Exception {
    startServer(l -> l);
    Peer alice = relayable("alice", 1001);
    Peer noRelay = keyed("carol", 1003, List.of("tls", "ack"));
    alice.ws().send(new RelayFrames.Request("carol", noRelay.keys().id(), "r"));
    assertThat(alice.ws().await(ServerFrame.Error.class).message())
        .contains("does not accept relayed sessions");
    // The wrong id for a nickname: no session, whatever the nickname.
    alice.ws().send(new RelayFrames.Request("carol", alice.keys().id(), "r"));
    assertThat(alice.ws().await(ServerFrame.Error.class).message()).contains("with that id");
    WsTestClient plain = client("/");
    plain.await(ServerFrame.Challenge.class);
    plain.register("mallory", 1004);
    plain.send(new RelayFrames.Request("alice", alice.keys().id(), "r"));
    ServerFrame.Error refused = plain.await(ServerFrame.Error.class);
    assertThat(refused.code()).isEqualTo(RelayFrames.REFUSED);
    assertThat(refused.message()).contains("proven key");
  }

  @Test
  void thePerPeerLimitRefusesASecondSession() throws Exception {
    startServer(l -> limits(l, 1, l.bytesPerSecondPerSession(), l.idleTimeout(), l.joinTimeout()));
    Peer alice = relayable("alice", 1001);
    Peer bob = relayable("bob", 1002);
    alice.ws().send(new RelayFrames.Request("bob", bob.keys().id(), "1"));
    alice.ws().await(RelayFrames.Ready.class);
    alice.ws().send(new RelayFrames.Request("bob", bob.keys().id(), "2"));
    ServerFrame.Error error = alice.ws().await(ServerFrame.Error.class);
    assertThat(error.id()).isEqualTo("2");
    assertThat(error.message()).contains("relayed sessions already");
  }

  @Test
  void aSessionWhoseSecondSideNeverJoinsExpiresAndFreesItsSlot() throws Exception {
    startServer(
        l -> limits(l, 1, l.bytesPerSecondPerSession(), l.idleTimeout(), Duration.ofMillis(300)));
    Peer alice = relayable("alice", 1001);
    Peer bob = relayable("bob", 1002);
    alice.ws().send(new RelayFrames.Request("bob", bob.keys().id(), "1"));
    RelayFrames.Ready ready = alice.ws().await(RelayFrames.Ready.class);
    WsTestClient a = client(RelayFrames.PATH);
    a.send(new RelayFrames.Join(ready.token()));
    assertThat(a.closeCode()).isEqualTo(BootstrapProtocol.CLOSE_NORMAL);
    await()
        .atMost(WAIT)
        .until(() -> server.scrapeMetrics().contains("bootstrap_relay_sessions_expired_total 1.0"));
    alice.ws().send(new RelayFrames.Request("bob", bob.keys().id(), "2"));
    assertThat(alice.ws().await(RelayFrames.Ready.class).id()).isEqualTo("2");
  }

  @Test
  void anIdleSessionIsClosed() throws Exception {
    startServer(
        l -> limits(l, 8, l.bytesPerSecondPerSession(), Duration.ofMillis(300), l.joinTimeout()));
    Pair pair = pair(relayable("alice", 1001), relayable("bob", 1002), false);
    assertThat(pair.a().closeCode()).isEqualTo(BootstrapProtocol.CLOSE_NORMAL);
    assertThat(pair.b().closeCode()).isEqualTo(BootstrapProtocol.CLOSE_NORMAL);
  }

  @Test
  void aReaderThatStopsStopsTheRelayFromReadingTheWriterAndNothingIsLost() throws Exception {
    startServer(l -> limits(l, 8, 512L * 1024 * 1024, l.idleTimeout(), l.joinTimeout()));
    // Bob's receive buffer is fixed (64 KiB), so what the relay can push towards him is bounded
    // by it, the server's send buffer (4 MiB at most here) and the 256 KiB write buffer.
    Pair pair = pair(relayable("alice", 1001), relayable("bob", 1002), true);
    pair.b().keepBinary = false;
    pair.b().stopReading();
    byte[] chunk = new byte[RelayFrames.MAX_CHUNK_BYTES];
    long total = 16L * 1024 * 1024;
    AtomicLong written = new AtomicLong();
    Thread writer =
        new Thread(
            () -> {
              long deadline = System.nanoTime() + WAIT.toNanos() * 3;
              while (written.get() < total && System.nanoTime() < deadline) {
                if (pair.a().channel().isWritable()) {
                  pair.a().sendBinary(chunk);
                  written.addAndGet(chunk.length);
                } else {
                  LockSupport.parkNanos(200_000);
                }
              }
            },
            "relay-writer");
    writer.setDaemon(true);
    writer.start();
    // Alice wrote all she could: into her socket, or until the relay stopped reading her.
    await().atMost(WAIT).until(() -> written.get() == total || !pair.a().channel().isWritable());
    long relayed = Long.parseLong(metric("bootstrap_relay_bytes_total"));
    assertThat(relayed).isLessThan(8L * 1024 * 1024);
    pair.b().resumeReading();
    writer.join(WAIT.toMillis() * 3);
    assertThat(written.get()).isEqualTo(total);
    await()
        .atMost(WAIT.multipliedBy(2))
        .untilAsserted(() -> assertThat(pair.b().binaryBytes()).isEqualTo(total));
  }

  @Test
  void aRelaySocketMustJoinFirstAndSendNothingBeforeItIsPaired() throws Exception {
    // A short join timeout: the early side below may be ended by it (see there).
    startServer(
        l ->
            limits(
                l,
                l.maxSessionsPerPeer(),
                l.bytesPerSecondPerSession(),
                l.idleTimeout(),
                Duration.ofSeconds(2)));
    WsTestClient stray = client(RelayFrames.PATH);
    stray.sendBinary(new byte[] {1, 2, 3});
    assertThat(stray.closeCode()).isEqualTo(BootstrapProtocol.CLOSE_POLICY_VIOLATION);
    WsTestClient junk = client(RelayFrames.PATH);
    junk.sendText("{\"type\":\"relay_join\",\"token\":\"short\"}");
    assertThat(junk.closeCode()).isEqualTo(BootstrapProtocol.CLOSE_POLICY_VIOLATION);
    Peer alice = relayable("alice", 1001);
    Peer bob = relayable("bob", 1002);
    alice.ws().send(new RelayFrames.Request("bob", bob.keys().id(), "1"));
    RelayFrames.Ready ready = alice.ws().await(RelayFrames.Ready.class);
    WsTestClient early = client(RelayFrames.PATH);
    early.send(new RelayFrames.Join(ready.token()));
    early.sendBinary(new byte[] {1});
    // A joined side is not read until it is paired. A byte read with the join (one TCP segment) is
    // refused at once (1008); one that comes later waits unread until the session ends unpaired
    // (1000). Either way nothing before relay_paired is relayed.
    assertThat(early.closeCode())
        .isIn(BootstrapProtocol.CLOSE_POLICY_VIOLATION, BootstrapProtocol.CLOSE_NORMAL);
    assertThat(Long.parseLong(metric("bootstrap_relay_bytes_total"))).isZero();
    // A relay_join on the registry connection is refused there.
    alice.ws().send(new RelayFrames.Join(ready.token()));
    assertThat(alice.ws().await(ServerFrame.Error.class).message()).contains(RelayFrames.PATH);
  }

  private String metric(String name) {
    for (String line : server.scrapeMetrics().split("\n")) {
      if (line.startsWith(name + " ")) {
        String v = line.substring(name.length() + 1);
        return v.endsWith(".0") ? v.substring(0, v.length() - 2) : v;
      }
    }
    throw new AssertionError("no metric " + name);
  }
}
