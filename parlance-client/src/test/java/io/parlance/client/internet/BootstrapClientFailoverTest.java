package io.parlance.client.internet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.parlance.bootstrap.BootstrapServer;
import io.parlance.bootstrap.BootstrapServerConfig;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A client given several servers of one cluster moves to the next when its own goes away. */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class BootstrapClientFailoverTest {

  private BootstrapServer first;
  private BootstrapServer second;
  private BootstrapClient client;

  @AfterEach
  void stop() {
    if (client != null) {
      client.close();
    }
    for (BootstrapServer s : new BootstrapServer[] {first, second}) {
      if (s != null) {
        s.stop();
      }
    }
  }

  private static BootstrapServer server() throws Exception {
    return BootstrapServer.start(
        BootstrapServerConfig.builder()
            .host("127.0.0.1")
            .port(0)
            .batchInterval(Duration.ofMillis(50))
            .build());
  }

  @Test
  void aClientWhoseServerGoesAwayRegistersWithTheNextWithinSeconds() throws Exception {
    first = server();
    second = server();
    String urls = "ws://127.0.0.1:" + first.port() + ",ws://127.0.0.1:" + second.port();
    BootstrapClientOptions options =
        BootstrapClientOptions.builder(urls, "alice", 4000)
            .backoff(Duration.ofMillis(200), Duration.ofSeconds(5))
            .build();
    assertThat(options.fallbacks())
        .containsExactly(URI.create("ws://127.0.0.1:" + second.port() + "/"));
    RecordingListener l = new RecordingListener();
    client = BootstrapClient.start(options, l);
    await()
        .atMost(Duration.ofSeconds(15))
        .until(() -> first.registry().lookup("alice").isPresent());

    first.stop();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> second.registry().lookup("alice").isPresent() && client.isRegistered());
    assertThat(l.registered).hasSize(2);
    assertThat(client.options().server().getPort()).isEqualTo(second.port());
  }

  @Test
  void aListWithABadUrlIsRefusedNamingIt() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> BootstrapClientOptions.builder("ws://a:1,http://b:2", "alice", 4000))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("http://b:2");
  }
}
