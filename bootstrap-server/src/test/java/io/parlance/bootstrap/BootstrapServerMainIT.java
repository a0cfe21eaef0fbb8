package io.parlance.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.parlance.protocol.bootstrap.BootstrapProtocol;
import io.parlance.protocol.bootstrap.PeerInfo;
import io.parlance.protocol.bootstrap.ServerFrame;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The shaded jar as a real process: serving, refusing bad starts, and stopping on SIGTERM. */
class BootstrapServerMainIT {

  @AfterAll
  static void stopClients() {
    WsTestClient.GROUP.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5_000);
  }

  @Test
  void servesClientsAndHealthThenClosesThemWith1001OnSigtermAndExitsZero() throws Exception {
    try (ServerProcess server =
        ServerProcess.start(ServerProcess.freePort(), "--dead-after", "5s")) {
      URI ws = URI.create("ws://127.0.0.1:" + server.port());
      try (WsTestClient alice = WsTestClient.connect(ws);
          WsTestClient bob = WsTestClient.connect(ws)) {
        alice.register("alice", 7001);
        bob.register("bob", 7002);
        PeerInfo bobInfo = new PeerInfo("bob", "127.0.0.1:7002", null);
        ServerFrame.PeersChanged change = alice.await(ServerFrame.PeersChanged.class);
        while (!change.joined().contains(bobInfo)) {
          // The first batch may hold only alice's own join.
          change = alice.await(ServerFrame.PeersChanged.class);
        }
        assertThat(change.left()).isEmpty();
        HttpResponse<String> health =
            HttpClient.newHttpClient()
                .send(
                    HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + server.port() + "/healthz"))
                        .timeout(Duration.ofSeconds(5))
                        .build(),
                    HttpResponse.BodyHandlers.ofString());
        assertThat(health.body()).contains("\"peers_online\":2");
        assertThat(server.terminate()).isEqualTo(0);
        assertThat(alice.closeCode()).isEqualTo(BootstrapProtocol.CLOSE_GOING_AWAY);
        assertThat(bob.closeCode()).isEqualTo(BootstrapProtocol.CLOSE_GOING_AWAY);
      }
    }
  }

  @Test
  void aPortInUseIsExplainedInOneLineWithExitCode1() throws Exception {
    try (ServerProcess first = ServerProcess.start(ServerProcess.freePort());
        ServerProcess second = ServerProcess.launch(first.port())) {
      assertThat(second.waitForExit()).isEqualTo(1);
      await()
          .atMost(Duration.ofSeconds(5))
          .untilAsserted(
              () ->
                  assertThat(second.stderr())
                      .anySatisfy(
                          line ->
                              assertThat(line)
                                  .startsWith("bootstrap-server: cannot listen")
                                  .contains("already using the port")));
    }
  }

  @Test
  void aBadOptionExitsWith2() throws Exception {
    try (ServerProcess bad =
        ServerProcess.launch(ServerProcess.freePort(), "--dead-after", "soon")) {
      assertThat(bad.waitForExit()).isEqualTo(2);
      await()
          .atMost(Duration.ofSeconds(5))
          .untilAsserted(
              () ->
                  assertThat(String.join("\n", bad.stderr())).contains("'soon' is not a duration"));
    }
  }
}
