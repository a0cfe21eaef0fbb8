package io.parlance.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.DockerClient;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.testcontainers.DockerClientFactory;

/**
 * Starts the repository's docker-compose.yml (a bootstrap server, two internet-mode peers on
 * separate networks, two local-mode peers on one LAN) and drives the peers through their control
 * socket commands, as a user or a script would.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ComposeIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration PATIENCE = ComposeDemo.PATIENCE;

  private static ComposeDemo demo;
  private static int bootstrapPort;

  @BeforeAll
  static void startTheDemo() throws IOException, InterruptedException {
    Docker.require();
    Path root = Path.of(System.getenv().getOrDefault("PARLANCE_REPO_ROOT", "..")).toAbsolutePath();
    try (ServerSocket free = new ServerSocket(0)) {
      bootstrapPort = free.getLocalPort();
    }
    demo =
        ComposeDemo.start(
            root,
            "docker-compose.yml",
            Map.of(
                "PARLANCE_BOOTSTRAP_PORT", Integer.toString(bootstrapPort),
                "PARLANCE_ANNOUNCE_SECS", "1",
                "PARLANCE_TIMEOUT_SECS", "4",
                "PARLANCE_SUBNET_PREFIX", "198.19"));
  }

  @AfterAll
  static void stopTheDemo() {
    if (demo != null) {
      demo.close();
    }
  }

  @Test
  @Order(1)
  void internetPeersOnSeparateNetworksFindEachOtherThroughTheServerAndChatBothWays()
      throws Exception {
    demo.awaitPeer("alice", "bob", "internet");
    demo.awaitPeer("bob", "alice", "internet");

    demo.send("alice", "bob", "hello bob, from alice's network");
    demo.awaitMessage("bob", "alice", "hello bob, from alice's network");
    demo.send("bob", "alice", "hi alice, bob here");
    demo.awaitMessage("alice", "bob", "hi alice, bob here");

    JsonNode health = healthz();
    assertThat(health.path("status").asText()).isEqualTo("ok");
    assertThat(health.path("peers_online").asInt()).isEqualTo(2);
  }

  @Test
  @Order(2)
  void lanPeersFindEachOtherByMulticastAndChat() throws Exception {
    demo.awaitPeer("carol", "dave", "lan");
    demo.awaitPeer("dave", "carol", "lan");

    demo.send("carol", "dave", "psst, dave: multicast works");
    demo.awaitMessage("dave", "carol", "psst, dave: multicast works");
    demo.send("dave", "carol", "loud and clear, carol");
    demo.awaitMessage("carol", "dave", "loud and clear, carol");

    // Local-mode peers never registered with the server.
    assertThat(healthz().path("peers_online").asInt()).isEqualTo(2);
  }

  @Test
  @Order(3)
  void afterTheServerRestartsThePeersRegisterAgainOnTheirOwn() throws Exception {
    DockerClient docker = DockerClientFactory.instance().client();
    docker.restartContainerCmd(demo.container("bootstrap").getContainerId()).withTimeout(5).exec();

    // A restarted server starts with an empty registry: two peers online means both came back.
    await()
        .atMost(PATIENCE)
        .pollInterval(Duration.ofSeconds(1))
        .ignoreExceptions()
        .until(() -> healthz().path("peers_online").asInt() == 2);
    demo.awaitPeer("alice", "bob", "internet");
    demo.awaitPeer("bob", "alice", "internet");
    demo.send("alice", "bob", "still there after the restart?");
    demo.awaitMessage("bob", "alice", "still there after the restart?");
  }

  @Test
  @Order(4)
  void aFrozenLanPeerIsDroppedAfterTheTimeoutAndSeenAgainWhenItThaws() throws Exception {
    DockerClient docker = DockerClientFactory.instance().client();
    String dave = demo.container("dave").getContainerId();
    docker.pauseContainerCmd(dave).exec();
    try {
      await()
          .atMost(PATIENCE)
          .pollInterval(Duration.ofMillis(500))
          .until(() -> !demo.peerNames("carol").contains("dave"));
    } finally {
      docker.unpauseContainerCmd(dave).exec();
    }
    demo.awaitPeer("carol", "dave", "lan");
  }

  @Test
  @Order(5)
  void aLanPeerStoppedCleanlyIsDroppedAtOnceByItsGoodbye() throws Exception {
    demo.awaitPeer("carol", "dave", "lan");
    DockerClient docker = DockerClientFactory.instance().client();
    docker.stopContainerCmd(demo.container("dave").getContainerId()).withTimeout(10).exec();
    await()
        .atMost(PATIENCE)
        .pollInterval(Duration.ofMillis(500))
        .until(() -> !demo.peerNames("carol").contains("dave"));
    assertThat(demo.logs("carol")).contains("dave").containsPattern("(?i)goodbye");
  }

  private static JsonNode healthz() throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + bootstrapPort + "/healthz"))
                    .timeout(Duration.ofSeconds(5))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return JSON.readTree(response.body());
  }
}
