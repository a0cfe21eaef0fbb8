package io.parlance.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.Container.ExecResult;

/**
 * Starts the repository's docker-compose.nat.yml (the bootstrap server on an "internet" network,
 * alice and bob each on an internal home network behind its own masquerading router) and checks
 * that the two peers, which cannot reach each other, chat both ways with acks through the server.
 */
class NatComposeIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PREFIX = "198.19";
  private static final String SERVER = PREFIX + ".110.10";
  private static final String ALICE = PREFIX + ".111.11";
  private static final String BOB = PREFIX + ".112.11";

  private static ComposeDemo demo;

  @BeforeAll
  static void startTheDemo() throws IOException, InterruptedException {
    Docker.require();
    Path root = Path.of(System.getenv().getOrDefault("PARLANCE_REPO_ROOT", "..")).toAbsolutePath();
    Docker.ensureRouterImage(root, "parlance/router:local");
    demo =
        ComposeDemo.start(
            root,
            "docker-compose.nat.yml",
            Map.of("PARLANCE_NAT_PREFIX", PREFIX, "ROUTER_IMAGE", "parlance/router:local"));
  }

  @AfterAll
  static void stopTheDemo() {
    if (demo != null) {
      demo.close();
    }
  }

  @Test
  void peersBehindNatCannotConnectDirectlyButChatBothWaysWithAcksThroughTheServer()
      throws Exception {
    // Both reach the server through their routers (once the routers have set up NAT) ...
    await()
        .atMost(ComposeDemo.PATIENCE)
        .pollInterval(Duration.ofMillis(500))
        .until(() -> ping("alice", SERVER) == 0 && ping("bob", SERVER) == 0);
    // ... and neither reaches the other's address.
    assertThat(ping("alice", BOB)).as("alice reaches bob directly").isNotZero();
    assertThat(ping("bob", ALICE)).as("bob reaches alice directly").isNotZero();

    demo.awaitPeer("alice", "bob", "internet");
    demo.awaitPeer("bob", "alice", "internet");

    demo.send("alice", "bob", "hello bob, from behind alice's NAT");
    demo.awaitMessage("bob", "alice", "hello bob, from behind alice's NAT");
    demo.send("bob", "alice", "hi alice, bob behind his own NAT");
    demo.awaitMessage("alice", "bob", "hi alice, bob behind his own NAT");

    awaitDelivered("alice", "bob", "hello bob, from behind alice's NAT");
    awaitDelivered("bob", "alice", "hi alice, bob behind his own NAT");

    for (String[] pair : new String[][] {{"alice", "bob"}, {"bob", "alice"}}) {
      JsonNode peer = peer(pair[0], pair[1]);
      assertThat(peer.path("path").asText())
          .as("%s's path to %s", pair[0], pair[1])
          .matches("relayed via .+|hole-punched");
      assertThat(peer.path("encrypted").isBoolean() && peer.path("encrypted").asBoolean())
          .as("%s sees %s encrypted", pair[0], pair[1])
          .isTrue();
    }
  }

  private static int ping(String service, String address) throws Exception {
    return demo.container(service)
        .execInContainer("ping", "-c", "1", "-W", "2", address)
        .getExitCode();
  }

  private static JsonNode peer(String service, String nickname) throws Exception {
    for (JsonNode p : demo.peers(service)) {
      if (p.path("nickname").asText().equals(nickname)) {
        return p;
      }
    }
    throw new AssertionError(service + " does not list " + nickname);
  }

  private static void awaitDelivered(String service, String peer, String text) {
    await()
        .atMost(ComposeDemo.PATIENCE)
        .pollInterval(Duration.ofMillis(500))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              ExecResult result = demo.parlance(service, "history", peer, "--json");
              assertThat(result.getExitCode()).as(result.getStderr()).isZero();
              List<JsonNode> sent = new ArrayList<>();
              for (String line : result.getStdout().split("\n")) {
                if (!line.isBlank()) {
                  JsonNode m = JSON.readTree(line);
                  if (m.path("direction").asText().equals("out")
                      && m.path("content").asText().equals(text)) {
                    sent.add(m);
                  }
                }
              }
              assertThat(sent)
                  .singleElement()
                  .satisfies(m -> assertThat(m.path("state").asText()).isEqualTo("delivered"));
            });
  }
}
