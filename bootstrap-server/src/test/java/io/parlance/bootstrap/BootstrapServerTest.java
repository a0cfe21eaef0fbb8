package io.parlance.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.parlance.bootstrap.registry.PeerEntry;
import io.parlance.protocol.bootstrap.BootstrapProtocol;
import io.parlance.protocol.bootstrap.ClientFrame;
import io.parlance.protocol.bootstrap.ErrorCode;
import io.parlance.protocol.bootstrap.PeerInfo;
import io.parlance.protocol.bootstrap.ServerFrame;
import io.parlance.testing.SelfSignedPem;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BootstrapServerTest {

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

  private WsTestClient client() throws Exception {
    WsTestClient c = WsTestClient.connect(uri());
    toClose.add(c);
    return c;
  }

  private WsTestClient registered(String nickname, int port) throws Exception {
    WsTestClient c = client();
    c.register(nickname, port);
    c.await(ServerFrame.Peers.class);
    return c;
  }

  @Test
  void aRegistrationGetsTheAddressTheServerSeesAndAFirstPage() throws Exception {
    startServer(b -> {});
    WsTestClient alice = client();
    alice.send(new ClientFrame.Register("alice", 5000, List.of("10.0.0.5:5000")));
    ServerFrame.Registered registered = alice.await(ServerFrame.Registered.class);
    assertThat(registered).isEqualTo(new ServerFrame.Registered("alice", "127.0.0.1:5000", 1));
    ServerFrame.Peers page = alice.await(ServerFrame.Peers.class);
    assertThat(page.peers())
        .containsExactly(new PeerInfo("alice", "127.0.0.1:5000", List.of("10.0.0.5:5000")));
    assertThat(page.nextCursor()).isNull();
  }

  @Test
  void pagesListEveryPeerOnceInNicknameOrder() throws Exception {
    startServer(b -> {});
    WsTestClient reader = registered("reader", 1);
    for (int i = 0; i < 23; i++) {
      server
          .registry()
          .register(
              new PeerEntry(
                  String.format("p%02d", i),
                  new InetSocketAddress("127.0.0.1", 100 + i),
                  null,
                  "fake" + i));
    }
    List<String> seen = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      reader.send(new ClientFrame.ListPeers(cursor, 5, "page" + pages));
      ServerFrame.Peers page = reader.await(ServerFrame.Peers.class);
      assertThat(page.id()).isEqualTo("page" + pages);
      assertThat(page.peers()).hasSizeLessThanOrEqualTo(5);
      page.peers().forEach(p -> seen.add(p.nickname()));
      cursor = page.nextCursor();
      pages++;
    } while (cursor != null);
    assertThat(seen).hasSize(24).doesNotHaveDuplicates().isSorted();
    assertThat(pages).isEqualTo(5);
  }

  @Test
  void capsAPageAtTheMaximum() throws Exception {
    startServer(b -> {});
    WsTestClient reader = registered("reader", 1);
    for (int i = 0; i < BootstrapProtocol.MAX_PAGE + 20; i++) {
      server
          .registry()
          .register(
              new PeerEntry("n" + i, new InetSocketAddress("127.0.0.1", 1 + i), null, "f" + i));
    }
    reader.send(new ClientFrame.ListPeers(null, 1_000_000, null));
    ServerFrame.Peers page = reader.await(ServerFrame.Peers.class);
    assertThat(page.peers()).hasSize(BootstrapProtocol.MAX_PAGE);
    assertThat(page.nextCursor()).isNotNull();
  }

  @Test
  void othersAreToldWhoJoinsAndWhoLeavesOnACleanClose() throws Exception {
    startServer(b -> {});
    WsTestClient alice = registered("alice", 1000);
    WsTestClient bob = registered("bob", 2000);
    // Changes are sent in batches: alice's own join may come in a batch before bob's.
    ServerFrame.PeersChanged joined = alice.await(ServerFrame.PeersChanged.class);
    while (joined.joined().stream().noneMatch(p -> p.nickname().equals("bob"))) {
      assertThat(joined.joined()).extracting(PeerInfo::nickname).containsOnly("alice");
      joined = alice.await(ServerFrame.PeersChanged.class);
    }
    bob.close();
    ServerFrame.PeersChanged left = alice.await(ServerFrame.PeersChanged.class);
    while (left.left().isEmpty()) {
      left = alice.await(ServerFrame.PeersChanged.class);
    }
    assertThat(left.left()).containsExactly(new PeerInfo("bob", "127.0.0.1:2000", null));
    assertThat(server.registry().lookup("bob")).isEmpty();
  }

  @Test
  void manyClientsAllLearnOfEachOther() throws Exception {
    startServer(b -> {});
    int n = 40;
    List<WsTestClient> clients = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      clients.add(registered("peer" + i, 3000 + i));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> server.registry().size() == n);
    // The first client sees everyone else join, in coalesced batches.
    List<String> seen = new ArrayList<>();
    while (seen.size() < n - 1) {
      clients.get(0).await(ServerFrame.PeersChanged.class).joined().stream()
          .map(PeerInfo::nickname)
          .filter(nick -> !nick.equals("peer0") && !seen.contains(nick))
          .forEach(seen::add);
    }
    assertThat(seen).hasSize(n - 1);
  }

  @Test
  void aLookupFindsAnOnlinePeerAndSaysWhenItIsNot() throws Exception {
    startServer(b -> {});
    WsTestClient alice = registered("alice", 1000);
    registered("bob", 2000);
    alice.send(new ClientFrame.Lookup("bob", "q1"));
    assertThat(alice.await(ServerFrame.LookupResult.class))
        .isEqualTo(
            new ServerFrame.LookupResult(
                "bob", true, new PeerInfo("bob", "127.0.0.1:2000", null), "q1"));
    alice.send(new ClientFrame.Lookup("nobody", "q2"));
    assertThat(alice.await(ServerFrame.LookupResult.class))
        .isEqualTo(new ServerFrame.LookupResult("nobody", false, null, "q2"));
  }

  @Test
  void aHeldNicknameIsRefusedUntilItsHolderLeaves() throws Exception {
    startServer(b -> {});
    WsTestClient first = registered("alice", 1000);
    WsTestClient second = client();
    second.send(new ClientFrame.Register("alice", 2000, null));
    ServerFrame.Error error = second.await(ServerFrame.Error.class);
    assertThat(error.code()).isEqualTo(ErrorCode.NICKNAME_TAKEN);
    assertThat(error.message()).contains("'alice'");
    first.close();
    await().atMost(Duration.ofSeconds(5)).until(() -> server.registry().lookup("alice").isEmpty());
    assertThat(second.register("alice", 2000).address()).isEqualTo("127.0.0.1:2000");
  }

  @Test
  void everyConnectionIsChallengedBeforeAnythingElse() throws Exception {
    startServer(b -> {});
    WsTestClient c = client();
    assertThat(c.await(ServerFrame.class)).isInstanceOf(ServerFrame.Challenge.class);
    assertThat(c.register("alice", 1000).address()).isEqualTo("127.0.0.1:1000");
  }

  @Test
  void aKeyReconnectingTakesItsNicknameBackAtOnceAndOthersCanCheckItsIdentity() throws Exception {
    startServer(b -> {});
    TestKeys keys = TestKeys.generate();
    WsTestClient watcher = registered("watcher", 900);
    WsTestClient before = client();
    before.send(keys.register("alice", 1000, before.await(ServerFrame.Challenge.class).nonce()));
    before.await(ServerFrame.Registered.class);

    WsTestClient after = client();
    String nonce = after.await(ServerFrame.Challenge.class).nonce();
    after.send(keys.register("alice", 1001, nonce));
    assertThat(after.await(ServerFrame.Registered.class).address()).isEqualTo("127.0.0.1:1001");
    assertThat(before.await(ServerFrame.Error.class).code()).isEqualTo(ErrorCode.REPLACED);
    assertThat(before.closeCode()).isEqualTo(BootstrapProtocol.CLOSE_NORMAL);

    PeerInfo alice = null;
    while (alice == null || !alice.address().equals("127.0.0.1:1001")) {
      alice =
          watcher.await(ServerFrame.PeersChanged.class).joined().stream()
              .filter(p -> p.nickname().equals("alice"))
              .findFirst()
              .orElse(alice);
    }
    assertThat(alice.id()).isEqualTo(keys.id());
    assertThat(alice.nonce()).isEqualTo(nonce);
    assertThat(alice.identityProblem()).isEmpty();
    assertThat(server.registry().size()).isEqualTo(2);
  }

  @Test
  void requestsBeforeRegistrationAreRefused() throws Exception {
    startServer(b -> {});
    WsTestClient c = client();
    c.send(new ClientFrame.Lookup("bob", "x"));
    assertThat(c.await(ServerFrame.Error.class))
        .isEqualTo(new ServerFrame.Error(ErrorCode.NOT_REGISTERED, "register first", "x"));
  }

  @Test
  void unregisterReleasesTheNicknameAndKeepsTheConnection() throws Exception {
    startServer(b -> {});
    WsTestClient alice = registered("alice", 1000);
    alice.send(new ClientFrame.Unregister("u1"));
    assertThat(alice.await(ServerFrame.Unregistered.class).id()).isEqualTo("u1");
    assertThat(server.registry().lookup("alice")).isEmpty();
    assertThat(alice.register("alice2", 1000).nickname()).isEqualTo("alice2");
  }

  @Test
  void aSecondRegistrationOnOneConnectionIsRefused() throws Exception {
    startServer(b -> {});
    WsTestClient alice = registered("alice", 1000);
    alice.send(new ClientFrame.Register("other", 1000, null));
    assertThat(alice.await(ServerFrame.Error.class).code()).isEqualTo(ErrorCode.ALREADY_REGISTERED);
  }

  @Test
  void aPeerThatStopsAnsweringIsRemovedAndOthersAreTold() throws Exception {
    startServer(b -> b.deadAfter(Duration.ofMillis(1000)));
    WsTestClient alice = client();
    // alice keeps talking so she stays alive; bob goes silent.
    alice.register("alice", 1000);
    WsTestClient bob = registered("bob", 2000);
    bob.stopReading();
    long start = System.nanoTime();
    String leaver = null;
    while (leaver == null) {
      alice.send(new ClientFrame.Lookup("alice", null));
      ServerFrame.PeersChanged change = alice.await(ServerFrame.PeersChanged.class);
      if (!change.left().isEmpty()) {
        leaver = change.left().get(0).nickname();
      }
    }
    assertThat(leaver).isEqualTo("bob");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    assertThat(alice.isOpen()).isTrue();
  }

  @Test
  void aClientThatStopsReadingIsClosedRatherThanBufferedFor() throws Exception {
    startServer(b -> {});
    WsTestClient slow = WsTestClient.connect(uri(), null, null, 4096);
    toClose.add(slow);
    slow.register("slow", 1);
    slow.await(ServerFrame.Peers.class);
    slow.stopReading();
    // Far more events than the kernel's socket buffers and the 256 KiB queue can hold.
    // (The client does not read, so it cannot see the close; watch the server's side.)
    for (int i = 0; i < 200_000 && server.registry().lookup("slow").isPresent(); i++) {
      server
          .registry()
          .register(new PeerEntry("p" + i, new InetSocketAddress("127.0.0.1", 9), null, "f" + i));
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> server.registry().lookup("slow").isEmpty());
    assertThat(server.scrapeMetrics())
        .contains("bootstrap_connections_closed_total{reason=\"slow_consumer\"} 1.0");
  }

  @Test
  void connectionsOverThePerIpLimitAreRefusedWith429() throws Exception {
    startServer(b -> b.maxConnectionsPerIp(3));
    for (int i = 0; i < 3; i++) {
      client();
    }
    assertThatThrownBy(() -> WsTestClient.connect(uri()))
        .isInstanceOf(ExecutionException.class)
        .satisfies(e -> assertThat(WsTestClient.refusedStatus(e)).isEqualTo(429));
    // Another source address has its own budget.
    WsTestClient other = WsTestClient.connect(uri(), new InetSocketAddress("127.0.0.2", 0), null);
    toClose.add(other);
    assertThat(other.isOpen()).isTrue();
    HttpResponse<String> refused = get("/metrics");
    assertThat(refused.body())
        .contains("bootstrap_errors_total{code=\"too_many_connections\"} 1.0");
  }

  @Test
  void registrationsOverThePerIpRateAreRefused() throws Exception {
    startServer(b -> b.registrationRatePerIp(0.001, 2));
    registered("a", 1);
    registered("b", 1);
    WsTestClient third = client();
    third.send(new ClientFrame.Register("c", 1, null));
    assertThat(third.await(ServerFrame.Error.class).code()).isEqualTo(ErrorCode.RATE_LIMITED);
  }

  @Test
  void framesOverTheConnectionRateAreRefusedThenTheConnectionIsClosed() throws Exception {
    startServer(b -> b.frameRate(0.001, 3).maxStrikes(3));
    WsTestClient c = registered("a", 1);
    for (int i = 0; i < 2; i++) {
      c.send(new ClientFrame.Lookup("a", null));
      c.await(ServerFrame.LookupResult.class);
    }
    for (int i = 0; i < 3; i++) {
      c.send(new ClientFrame.Lookup("a", "r" + i));
      assertThat(c.await(ServerFrame.Error.class))
          .isEqualTo(
              new ServerFrame.Error(ErrorCode.RATE_LIMITED, "too many frames; slow down", "r" + i));
    }
    assertThat(c.closeCode()).isEqualTo(BootstrapProtocol.CLOSE_POLICY_VIOLATION);
  }

  @Test
  void aFrameOverTheSizeLimitClosesTheConnectionWith1009() throws Exception {
    startServer(b -> {});
    WsTestClient c = registered("a", 1);
    c.sendText("{\"type\":\"list\",\"pad\":\"" + "x".repeat(20_000) + "\"}");
    assertThat(c.closeCode()).isEqualTo(BootstrapProtocol.CLOSE_TOO_BIG);
    await().atMost(Duration.ofSeconds(5)).until(() -> server.registry().size() == 0);
  }

  @Test
  void badFramesGetErrorsAndRepeatedAbuseClosesWith1008() throws Exception {
    startServer(b -> b.maxStrikes(5));
    WsTestClient c = client();
    c.sendText("not json");
    assertThat(c.await(ServerFrame.Error.class).code()).isEqualTo(ErrorCode.MALFORMED_FRAME);
    c.sendText("{\"type\":\"shout\"}");
    assertThat(c.await(ServerFrame.Error.class).code()).isEqualTo(ErrorCode.UNKNOWN_TYPE);
    c.sendText("{\"type\":\"list\",\"x\":" + "[".repeat(30) + "]".repeat(30) + "}");
    assertThat(c.await(ServerFrame.Error.class).code()).isEqualTo(ErrorCode.LIMIT_EXCEEDED);
    c.sendText("{\"type\":\"register\",\"nickname\":\"\",\"tcp_port\":1}");
    assertThat(c.await(ServerFrame.Error.class).code()).isEqualTo(ErrorCode.INVALID_NICKNAME);
    c.sendBinary(new byte[] {1, 2, 3});
    assertThat(c.await(ServerFrame.Error.class).code()).isEqualTo(ErrorCode.UNSUPPORTED_FRAME);
    assertThat(c.closeCode()).isEqualTo(BootstrapProtocol.CLOSE_POLICY_VIOLATION);
  }

  @Test
  void healthAndMetricsAreServedOnTheSamePort() throws Exception {
    startServer(b -> {});
    registered("alice", 1000);
    HttpResponse<String> health = get("/healthz");
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(health.body())
        .matches(
            "\\{\"status\":\"ok\",\"peers_online\":1,\"connections\":1,\"relay_sessions\":0,"
                + "\"relay_bytes\":0,\"punch_sessions\":0,\"uptime_seconds\":\\d+}");
    HttpResponse<String> metrics = get("/metrics");
    assertThat(metrics.statusCode()).isEqualTo(200);
    assertThat(metrics.body())
        .contains("bootstrap_peers_registered 1.0")
        .contains("bootstrap_websocket_connections 1.0")
        .contains("bootstrap_registrations_total{result=\"registered\"} 1.0")
        .contains("bootstrap_frames_in_total 1.0")
        .contains("bootstrap_frames_out_total")
        .contains("bootstrap_lookups_total")
        .contains("jvm_memory_used_bytes");
    assertThat(get("/nope").statusCode()).isEqualTo(404);
  }

  @Test
  void stoppingTellsEveryClientGoingAway() throws Exception {
    startServer(b -> {});
    WsTestClient a = registered("a", 1);
    WsTestClient b = client();
    server.stop();
    assertThat(a.closeCode()).isEqualTo(BootstrapProtocol.CLOSE_GOING_AWAY);
    assertThat(b.closeCode()).isEqualTo(BootstrapProtocol.CLOSE_GOING_AWAY);
  }

  @Test
  void servesWssWithAPemCertificate(@TempDir Path dir) throws Exception {
    SelfSignedPem pem = SelfSignedPem.create(dir);
    SslContext serverSsl =
        SslContextBuilder.forServer(pem.certificate().toFile(), pem.privateKey().toFile()).build();
    startServer(b -> b.sslContext(serverSsl));
    SslContext clientSsl =
        SslContextBuilder.forClient().trustManager(pem.certificate().toFile()).build();
    WsTestClient c =
        WsTestClient.connect(
            URI.create("wss://localhost:" + server.port() + "/ws"), null, clientSsl);
    toClose.add(c);
    assertThat(c.register("secure", 443).nickname()).isEqualTo("secure");
  }

  private HttpResponse<String> get(String path) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
            .timeout(Duration.ofSeconds(5))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
