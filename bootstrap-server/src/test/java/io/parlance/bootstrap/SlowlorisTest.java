package io.parlance.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.parlance.protocol.bootstrap.ClientFrame;
import io.parlance.protocol.bootstrap.ServerFrame;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One address opening connections that trickle request headers (slowloris) holds only a few of
 * them, each for at most the request timeout, while others register and check health as usual.
 */
class SlowlorisTest {

  /** The attacker's address; the legitimate clients use 127.0.0.1. */
  private static final InetSocketAddress ATTACKER = new InetSocketAddress("127.0.0.2", 0);

  private final List<Socket> attackers = new ArrayList<>();
  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
  private BootstrapServer server;

  @AfterEach
  void stopEverything() throws Exception {
    trickle.shutdownNow();
    for (Socket s : attackers) {
      s.close();
    }
    for (AutoCloseable c : toClose) {
      c.close();
    }
    if (server != null) {
      server.stop();
    }
  }

  private void startServer(Consumer<BootstrapServerConfig.Builder> settings) throws Exception {
    BootstrapServerConfig.Builder b =
        BootstrapServerConfig.builder().host("127.0.0.1").port(0).registrationRatePerIp(100, 100);
    settings.accept(b);
    server = BootstrapServer.start(b.build());
  }

  /** Opens connections from the attacker's address, each sending the start of a request. */
  private void openTricklers(int count) throws IOException {
    for (int i = 0; i < count; i++) {
      Socket s = new Socket();
      attackers.add(s);
      s.bind(ATTACKER);
      s.connect(server.localAddress(), 5_000);
      s.getOutputStream()
          .write("GET / HTTP/1.1\r\nHost: x\r\nX-a: ".getBytes(StandardCharsets.US_ASCII));
    }
    // One more header byte on every connection every 100 ms, as long as it stays open.
    trickle.scheduleWithFixedDelay(
        () -> {
          for (Socket s : attackers) {
            try {
              s.getOutputStream().write('a');
            } catch (IOException closedByTheServer) {
              // expected once the server gave up on it
            }
          }
        },
        100,
        100,
        TimeUnit.MILLISECONDS);
  }

  private String metrics() throws Exception {
    return get("/metrics").body();
  }

  private HttpResponse<String> get(String path) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
            .timeout(Duration.ofSeconds(5))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private WsTestClient client(InetSocketAddress source) throws Exception {
    WsTestClient c =
        WsTestClient.connect(URI.create("ws://127.0.0.1:" + server.port() + "/"), source, null);
    toClose.add(c);
    return c;
  }

  private static String readAll(Socket s) throws IOException {
    s.setSoTimeout(10_000);
    InputStream in = s.getInputStream();
    try {
      return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    } catch (SocketException reset) {
      return ""; // closed by the server with data unread; a read timeout is not caught
    }
  }

  @Test
  void oneAddressHoldsOnlyItsLimitOfUnfinishedConnectionsAndOthersAreServed() throws Exception {
    startServer(b -> b.maxPendingPerIp(16).requestTimeout(Duration.ofMinutes(1)));

    openTricklers(300);

    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                assertThat(metrics())
                    .contains(
                        "bootstrap_connections_closed_total{reason=\"too_many_unfinished\"} 284.0"));
    assertThat(readAll(attackers.get(299))).startsWith("HTTP/1.1 429 Too Many Requests");
    HttpResponse<String> health = get("/healthz");
    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(health.body()).contains("\"status\":\"ok\"");
    WsTestClient alice = client(new InetSocketAddress("127.0.0.1", 0));
    assertThat(alice.register("alice", 5000).nickname()).isEqualTo("alice");

    // Once its unfinished connections close, the address may connect again.
    for (Socket s : attackers) {
      s.close();
    }
    WsTestClient again = client(ATTACKER);
    assertThat(again.register("bob", 5001).nickname()).isEqualTo("bob");
  }

  @Test
  void aConnectionThatNeverFinishesItsRequestIsClosedAtTheDeadlineButAWebSocketStays()
      throws Exception {
    startServer(b -> b.maxPendingPerIp(1000).requestTimeout(Duration.ofMillis(500)));
    WsTestClient alice = client(new InetSocketAddress("127.0.0.1", 0));
    alice.register("alice", 5000);

    openTricklers(200);

    for (Socket s : attackers) {
      // Closed by the server though it kept sending: the read ends instead of timing out.
      assertThat(readAll(s)).isEmpty();
    }
    assertThat(metrics())
        .contains("bootstrap_connections_closed_total{reason=\"request_timeout\"} 200.0");
    alice.send(new ClientFrame.Lookup("alice", null));
    assertThat(alice.await(ServerFrame.LookupResult.class).found()).isTrue();
    assertThat(get("/healthz").statusCode()).isEqualTo(200);
  }
}
