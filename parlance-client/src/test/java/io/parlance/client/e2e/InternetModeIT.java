package io.parlance.client.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.parlance.bootstrap.ServerProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Internet mode end to end: a real bootstrap server process and real client processes in {@code
 * --json} mode on loopback find each other through the server and message each other directly.
 */
class InternetModeIT {

  private static final Duration WAIT = Duration.ofSeconds(30);

  private final List<AutoCloseable> started = new ArrayList<>();
  private final String suffix = Long.toString(System.nanoTime() % 100_000);

  @AfterEach
  void stopAll() throws Exception {
    for (AutoCloseable c : started) {
      c.close();
    }
  }

  private ParlanceProcess client(String base, String url) throws Exception {
    ParlanceProcess p =
        ParlanceProcess.start(base + "-" + suffix, 0, "--mode", "internet", "--bootstrap", url);
    started.add(p);
    return p;
  }

  @Test
  void twoClientsFindEachOtherThroughARealServerAndChatBothWays() throws Exception {
    ServerProcess server = ServerProcess.start(ServerProcess.freePort());
    started.add(server);
    String url = "ws://127.0.0.1:" + server.port();
    ParlanceProcess alice = client("alice", url);
    ParlanceProcess bob = client("bob", url);

    JsonNode ready = alice.await("ready", e -> true, WAIT);
    assertThat(ready.has("interface")).isFalse();
    alice.await("bootstrap", e -> e.path("status").asText().equals("registered"), WAIT);
    JsonNode joined =
        alice.await("peer_joined", e -> e.path("nickname").asText().equals(bob.nickname), WAIT);
    assertThat(joined.path("via").asText()).isEqualTo("internet");
    assertThat(joined.path("address").asText()).isEqualTo(bob.address());
    bob.await("peer_joined", e -> e.path("nickname").asText().equals(alice.nickname), WAIT);

    alice.command("/send " + bob.nickname + " hello over the internet");
    bob.await("message", e -> e.path("content").asText().equals("hello over the internet"), WAIT);
    bob.command("/send " + alice.nickname + " hello back");
    alice.await("message", e -> e.path("content").asText().equals("hello back"), WAIT);

    // A clean quit unregisters at once: the other side is told the peer left.
    bob.closeStdin();
    alice.await("peer_left", e -> e.path("nickname").asText().equals(bob.nickname), WAIT);
  }

  @Test
  void aTakenNicknameAndAnUnreachableServerAreReportedInWords() throws Exception {
    ServerProcess server = ServerProcess.start(ServerProcess.freePort());
    started.add(server);
    String url = "ws://127.0.0.1:" + server.port();
    ParlanceProcess first = client("dora", url);
    first.await("bootstrap", e -> e.path("status").asText().equals("registered"), WAIT);
    ParlanceProcess second =
        ParlanceProcess.start(first.nickname, 0, "--mode", "internet", "--bootstrap", url);
    started.add(second);
    JsonNode refused =
        second.await("bootstrap", e -> e.path("status").asText().equals("refused"), WAIT);
    assertThat(refused.path("message").asText()).contains("already registered");

    ParlanceProcess lonely = client("eve", "ws://127.0.0.1:" + ServerProcess.freePort());
    JsonNode down =
        lonely.await("bootstrap", e -> e.path("status").asText().equals("disconnected"), WAIT);
    assertThat(down.path("message").asText()).contains("retrying");
  }

  @Test
  void aBootstrapUrlThatIsNotWebSocketIsAUsageError() throws Exception {
    ParlanceProcess.ProcessResult badUrl =
        ParlanceProcess.run(
            "--json", "--nickname", "x", "--mode", "internet", "--bootstrap", "http://x");
    assertThat(badUrl.exitCode()).isEqualTo(2);
    assertThat(badUrl.err()).contains("--bootstrap").doesNotContain("\tat ");
  }
}
