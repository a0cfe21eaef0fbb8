package io.parlance.client.internet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.parlance.bootstrap.BootstrapServer;
import io.parlance.bootstrap.BootstrapServerConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Idle connections with short timers: a peer that says nothing but whose pings are answered (or who
 * answers the server's pings) stays registered over many liveness periods.
 */
class BootstrapClientHeartbeatTest {

  private static final Duration WAIT = Duration.ofSeconds(15);

  /** Eight liveness periods of the client's 600 ms and five of the server's 1 s. */
  private static final Duration IDLE_FOR = Duration.ofSeconds(5);

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

  private void startServer(Duration deadAfter) throws Exception {
    server =
        BootstrapServer.start(
            BootstrapServerConfig.builder()
                .host("127.0.0.1")
                .port(0)
                .deadAfter(deadAfter)
                .batchInterval(Duration.ofMillis(50))
                .build());
  }

  private BootstrapClient client(
      String nickname, int port, RecordingListener listener, Duration ping, Duration dead)
      throws Exception {
    BootstrapClient c =
        BootstrapClient.start(
            BootstrapClientOptions.builder("ws://127.0.0.1:" + server.port(), nickname, port)
                .backoff(Duration.ofMillis(50), Duration.ofMillis(400))
                .heartbeat(ping, dead)
                .build(),
            listener);
    toClose.add(0, c);
    return c;
  }

  private static void assertStillTheFirstSession(RecordingListener l) {
    assertThat(l.disconnected).isEmpty();
    assertThat(l.errors).isEmpty();
    assertThat(l.left).isEmpty();
    assertThat(l.connected).hasSize(1);
    assertThat(l.registered).hasSize(1);
  }

  @Test
  void idlePeersWhosePingsGetPongsStayRegisteredWithoutReRegisteringOrLeaving() throws Exception {
    startServer(Duration.ofMillis(1_000));
    RecordingListener a = new RecordingListener();
    RecordingListener b = new RecordingListener();
    BootstrapClient alice =
        client("alice", 4001, a, Duration.ofMillis(200), Duration.ofMillis(600));
    BootstrapClient bob = client("bob", 4002, b, Duration.ofMillis(200), Duration.ofMillis(600));
    await().atMost(WAIT).until(() -> a.online.containsKey("bob") && b.online.containsKey("alice"));

    await()
        .during(IDLE_FOR)
        .atMost(IDLE_FOR.plus(WAIT))
        .untilAsserted(
            () -> {
              assertStillTheFirstSession(a);
              assertStillTheFirstSession(b);
            });

    assertThat(alice.isRegistered()).isTrue();
    assertThat(bob.isRegistered()).isTrue();
    assertThat(a.online).containsOnlyKeys("bob");
    assertThat(b.online).containsOnlyKeys("alice");
    assertThat(server.registry().size()).isEqualTo(2L);
  }

  @Test
  void aQuietClientThatOnlyAnswersTheServersPingsIsNotDroppedByTheServer() throws Exception {
    startServer(Duration.ofMillis(1_000));
    RecordingListener a = new RecordingListener();
    RecordingListener b = new RecordingListener();
    // These clients never ping within the test: only the server's pings and their pongs flow.
    client("alice", 4001, a, Duration.ofHours(1), Duration.ofHours(2));
    client("bob", 4002, b, Duration.ofHours(1), Duration.ofHours(2));
    await().atMost(WAIT).until(() -> a.online.containsKey("bob") && b.online.containsKey("alice"));

    await()
        .during(IDLE_FOR)
        .atMost(IDLE_FOR.plus(WAIT))
        .untilAsserted(
            () -> {
              assertStillTheFirstSession(a);
              assertStillTheFirstSession(b);
            });

    assertThat(b.online).containsOnlyKeys("alice");
    assertThat(server.registry().size()).isEqualTo(2L);
  }
}
