package io.parlance.client.internet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.parlance.bootstrap.ServerProcess;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Two connectors and the real bootstrap-server jar as a separate process, on loopback. */
class BootstrapClientIT {

  private static final Duration WAIT = Duration.ofSeconds(20);

  @Test
  void twoPeersFindEachOtherThroughARealServerAndSurviveItsRestart() throws Exception {
    int port = ServerProcess.freePort();
    RecordingListener a = new RecordingListener();
    RecordingListener b = new RecordingListener();
    String url = "ws://127.0.0.1:" + port;
    try (ServerProcess server = ServerProcess.start(port);
        BootstrapClient alice = start(url, "alice", 5001, a)) {
      BootstrapClient bob = start(url, "bob", 5002, b);
      ServerProcess restarted = null;
      try {
        await()
            .atMost(WAIT)
            .until(() -> a.online.containsKey("bob") && b.online.containsKey("alice"));
        assertThat(a.online.get("bob")).isEqualTo(new InetSocketAddress("127.0.0.1", 5002));
        assertThat(bob.lookup("alice").get(5, TimeUnit.SECONDS))
            .contains(new InetSocketAddress("127.0.0.1", 5001));

        assertThat(server.terminate()).isZero();
        await().atMost(WAIT).until(() -> !a.disconnected.isEmpty() && !b.disconnected.isEmpty());
        assertThat(alice.peers()).containsKey("bob");

        restarted = ServerProcess.start(port);
        await().atMost(WAIT).until(() -> a.registered.size() == 2 && b.registered.size() == 2);
        assertThat(alice.lookup("bob").get(5, TimeUnit.SECONDS)).isPresent();
        bob.close(); // unregisters, and alice is told bob left
        await().atMost(WAIT).until(() -> a.left.contains("bob"));
        assertThat(a.disconnected).hasSize(1);
      } finally {
        bob.close();
        if (restarted != null) {
          restarted.close();
        }
      }
    }
  }

  private static BootstrapClient start(String url, String nick, int port, RecordingListener l)
      throws Exception {
    return BootstrapClient.start(
        BootstrapClientOptions.builder(url, nick, port)
            .backoff(Duration.ofMillis(100), Duration.ofSeconds(1))
            .build(),
        l);
  }
}
