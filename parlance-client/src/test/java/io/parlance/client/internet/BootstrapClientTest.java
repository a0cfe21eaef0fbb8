package io.parlance.client.internet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.netty.handler.ssl.SslContextBuilder;
import io.parlance.bootstrap.BootstrapServer;
import io.parlance.bootstrap.BootstrapServerConfig;
import io.parlance.bootstrap.registry.PeerEntry;
import io.parlance.testing.SelfSignedPem;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BootstrapClientTest {

  private static final Duration WAIT = Duration.ofSeconds(15);

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

  private BootstrapServer startServer(int port, Consumer<BootstrapServerConfig.Builder> settings)
      throws Exception {
    BootstrapServerConfig.Builder b =
        BootstrapServerConfig.builder()
            .host("127.0.0.1")
            .port(port)
            .batchInterval(Duration.ofMillis(50));
    settings.accept(b);
    server = BootstrapServer.start(b.build());
    return server;
  }

  private String url() {
    return "ws://127.0.0.1:" + server.port();
  }

  private BootstrapClient client(
      String url,
      String nickname,
      int port,
      RecordingListener listener,
      Consumer<BootstrapClientOptions.Builder> settings)
      throws Exception {
    BootstrapClientOptions.Builder b =
        BootstrapClientOptions.builder(url, nickname, port)
            .backoff(Duration.ofMillis(50), Duration.ofMillis(400));
    settings.accept(b);
    BootstrapClient c = BootstrapClient.start(b.build(), listener);
    toClose.add(0, c);
    return c;
  }

  private BootstrapClient client(String nickname, int port, RecordingListener listener)
      throws Exception {
    return client(url(), nickname, port, listener, b -> {});
  }

  @Test
  void twoPeersFindEachOtherLookEachOtherUpAndSeeEachOtherLeave() throws Exception {
    startServer(0, b -> {});
    RecordingListener a = new RecordingListener();
    RecordingListener b = new RecordingListener();
    BootstrapClient alice = client("alice", 4001, a);
    await().atMost(WAIT).until(() -> !a.registered.isEmpty());
    assertThat(a.registered).containsExactly(new InetSocketAddress("127.0.0.1", 4001));
    BootstrapClient bob = client("bob", 4002, b);
    await().atMost(WAIT).until(() -> a.online.containsKey("bob") && b.online.containsKey("alice"));
    assertThat(a.online).containsOnlyKeys("bob");
    assertThat(b.online.get("alice")).isEqualTo(new InetSocketAddress("127.0.0.1", 4001));
    assertThat(alice.peers()).containsKey("bob");
    assertThat(alice.lookup("bob").get(5, TimeUnit.SECONDS))
        .contains(new InetSocketAddress("127.0.0.1", 4002));
    assertThat(alice.lookup("carol").get(5, TimeUnit.SECONDS)).isEmpty();
    bob.close();
    await().atMost(WAIT).until(() -> a.left.contains("bob"));
    assertThat(alice.peers()).isEmpty();
    assertThat(a.disconnected).isEmpty();
  }

  @Test
  void followsEveryPageOfALargeRegistry() throws Exception {
    startServer(0, b -> {});
    for (int i = 0; i < 1_234; i++) {
      server
          .registry()
          .register(
              new PeerEntry("peer" + i, new InetSocketAddress("127.0.0.1", 1 + i), null, "f" + i));
    }
    RecordingListener l = new RecordingListener();
    client("reader", 9, l);
    await().atMost(WAIT).until(() -> l.online.size() == 1_234);
  }

  @Test
  void aTakenNicknameIsReportedClearlyAndNotRetried() throws Exception {
    startServer(0, b -> {});
    RecordingListener first = new RecordingListener();
    client("alice", 1, first);
    await().atMost(WAIT).until(() -> !first.registered.isEmpty());
    RecordingListener second = new RecordingListener();
    BootstrapClient clash = client("alice", 2, second);
    await().atMost(WAIT).until(() -> !second.errors.isEmpty());
    assertThat(second.errors)
        .singleElement()
        .asString()
        .startsWith("nickname_taken: the nickname 'alice' is already registered on ws://")
        .endsWith("choose another nickname");
    await()
        .during(Duration.ofMillis(800))
        .atMost(Duration.ofSeconds(3))
        .until(() -> second.connected.size() == 1);
    assertThat(second.disconnected).as("one status: the error said it all").isEmpty();
    assertThat(clash.isRegistered()).isFalse();
  }

  @Test
  void anUnreachableServerIsReportedOnceAndJoinedWhenItComesUp() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    RecordingListener l = new RecordingListener();
    BootstrapClient c = client("ws://127.0.0.1:" + port, "alice", 1, l, b -> {});
    await().atMost(WAIT).until(() -> !l.disconnected.isEmpty());
    assertThat(l.disconnected)
        .singleElement()
        .asString()
        .startsWith("the bootstrap server ws://127.0.0.1:" + port + "/ is unreachable")
        .endsWith("retrying in the background")
        .doesNotContain("lost");
    assertThat(l.errors).as("one status per outage").isEmpty();
    assertThatThrownBy(() -> c.lookup("bob").get(5, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(BootstrapException.class);
    startServer(port, b -> {});
    await().atMost(WAIT).until(c::isRegistered);
    assertThat(l.disconnected).hasSize(1);
  }

  @Test
  void aRestartedServerIsRejoinedAndKnownPeersStayUsableMeanwhile() throws Exception {
    startServer(0, b -> {});
    int port = server.port();
    RecordingListener a = new RecordingListener();
    RecordingListener b = new RecordingListener();
    BootstrapClient alice = client("alice", 1, a);
    client("bob", 2, b);
    await().atMost(WAIT).until(() -> a.online.containsKey("bob"));
    server.stop();
    await().atMost(WAIT).until(() -> !a.disconnected.isEmpty());
    assertThat(a.disconnected).singleElement().asString().contains("is going away");
    assertThat(alice.isRegistered()).isFalse();
    assertThat(alice.peers()).containsKey("bob");
    assertThat(a.left).isEmpty();
    startServer(port, s -> {});
    await().atMost(WAIT).until(() -> a.registered.size() == 2 && b.registered.size() == 2);
    await().atMost(WAIT).until(() -> server.registry().size() == 2);
    assertThat(alice.lookup("bob").get(5, TimeUnit.SECONDS)).isPresent();
    assertThat(a.disconnected).hasSize(1);
  }

  @Test
  void aPeerGoneDuringAnOutageIsReportedLeftAfterReRegistering() throws Exception {
    startServer(0, b -> {});
    int port = server.port();
    RecordingListener a = new RecordingListener();
    BootstrapClient alice = client("alice", 1, a);
    BootstrapClient bob = client("bob", 2, new RecordingListener());
    await().atMost(WAIT).until(() -> a.online.containsKey("bob"));
    server.stop();
    bob.close();
    startServer(port, s -> {});
    await().atMost(WAIT).until(() -> a.left.contains("bob"));
    assertThat(alice.peers()).isEmpty();
  }

  @Test
  void registersOverWssWithATrustedCertificate(@TempDir Path dir) throws Exception {
    SelfSignedPem pem = SelfSignedPem.create(dir);
    startServer(
        0,
        b -> {
          try {
            b.sslContext(
                SslContextBuilder.forServer(pem.certificate().toFile(), pem.privateKey().toFile())
                    .build());
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
    RecordingListener l = new RecordingListener();
    client(
        "wss://localhost:" + server.port(),
        "secure",
        1,
        l,
        b -> {
          try {
            b.trustCertificate(pem.certificate().toFile());
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
    await().atMost(WAIT).until(() -> !l.registered.isEmpty());
    // Without trusting the certificate, TLS fails with a clear message.
    RecordingListener untrusting = new RecordingListener();
    client("wss://localhost:" + server.port(), "other", 1, untrusting, b -> {});
    await().atMost(WAIT).until(() -> !untrusting.errors.isEmpty());
    // Told once, as the refusal a person must fix (trust the certificate), not as a disconnection.
    assertThat(untrusting.errors.get(0)).contains(": TLS with the bootstrap server");
    assertThat(untrusting.disconnected).isEmpty();
  }

  @Test
  void aConnectionOverThePerIpLimitIsReported() throws Exception {
    startServer(0, b -> b.maxConnectionsPerIp(1));
    client("first", 1, new RecordingListener());
    await().atMost(WAIT).until(() -> server.registry().size() == 1);
    RecordingListener l = new RecordingListener();
    client("second", 1, l);
    await().atMost(WAIT).until(() -> !l.errors.isEmpty());
    assertThat(l.errors.get(0))
        .isEqualTo(
            "too_many_connections: the bootstrap server refused the connection: too many"
                + " connections from this address; retrying in the background");
    // One line for the refusal: not a disconnection besides.
    assertThat(l.disconnected).isEmpty();
  }

  @Test
  void aUrlThatIsNotABootstrapServerIsReported() throws Exception {
    HttpServer web = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    web.createContext(
        "/",
        exchange -> {
          exchange.sendResponseHeaders(404, -1);
          exchange.close();
        });
    web.start();
    try {
      RecordingListener l = new RecordingListener();
      String url = "ws://127.0.0.1:" + web.getAddress().getPort();
      client(url, "alice", 1, l, b -> {});
      await().atMost(WAIT).until(() -> !l.errors.isEmpty());
      assertThat(l.errors.get(0))
          .isEqualTo(
              "handshake_failed: "
                  + url
                  + "/ is not a Parlance bootstrap server (HTTP 404 Not Found); retrying in the"
                  + " background");
      assertThat(l.disconnected).isEmpty();
    } finally {
      web.stop(0);
    }
  }

  @Test
  void closingUnregistersAtOnce() throws Exception {
    startServer(0, b -> {});
    RecordingListener l = new RecordingListener();
    BootstrapClient c = client("alice", 1, l);
    await().atMost(WAIT).until(c::isRegistered);
    c.close();
    assertThat(server.registry().lookup("alice")).isEqualTo(Optional.empty());
    assertThat(l.disconnected).isEmpty();
  }
}
