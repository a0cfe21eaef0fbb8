package io.parlance.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.testcontainers.DockerClientFactory;

/**
 * Starts the repository's docker-compose.cluster.yml (a Redis, two bootstrap servers sharing it,
 * erin registered on the first with the second as her fallback, frank on the second) and checks
 * that the two servers act as one: peers on different servers see and reach each other, and a
 * server that stops hands its peers over without anyone seeing them leave.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterComposeIT {

  private static ComposeDemo demo;

  @BeforeAll
  static void startTheCluster() throws IOException, InterruptedException {
    Docker.require();
    Path root = Path.of(System.getenv().getOrDefault("PARLANCE_REPO_ROOT", "..")).toAbsolutePath();
    String redis = System.getenv().getOrDefault("PARLANCE_REDIS_IMAGE", "parlance/redis:local");
    Docker.ensureRedisImage(root, redis);
    demo =
        ComposeDemo.start(
            root,
            "docker-compose.cluster.yml",
            Map.of("REDIS_IMAGE", redis, "PARLANCE_SUBNET_PREFIX", "198.19"));
  }

  @AfterAll
  static void stopTheCluster() {
    if (demo != null) {
      demo.close();
    }
  }

  @Test
  @Order(1)
  void peersRegisteredOnDifferentServersSeeEachOtherAndChat() throws Exception {
    demo.awaitPeer("erin", "frank", "internet");
    demo.awaitPeer("frank", "erin", "internet");
    // Registered on different servers (erin starts once bs1 answers its health check).
    await()
        .atMost(ComposeDemo.PATIENCE)
        .pollInterval(java.time.Duration.ofMillis(500))
        .until(() -> demo.logs("erin").contains("Registered 'erin' with ws://bs1:8080"));
    assertThat(demo.logs("frank")).contains("Registered 'frank' with ws://bs2:8080");

    demo.send("erin", "frank", "hello frank, from the other server");
    demo.awaitMessage("frank", "erin", "hello frank, from the other server");
    demo.send("frank", "erin", "hi erin, loud and clear");
    demo.awaitMessage("erin", "frank", "hi erin, loud and clear");
  }

  @Test
  @Order(2)
  void aServerThatStopsHandsItsPeersOverAndNoOneSeesThemLeave() throws Exception {
    DockerClientFactory.instance()
        .client()
        .stopContainerCmd(demo.container("bs1").getContainerId())
        .withTimeout(10)
        .exec();

    await()
        .atMost(ComposeDemo.PATIENCE)
        .pollInterval(java.time.Duration.ofMillis(500))
        .until(() -> demo.logs("erin").contains("Registered 'erin' with ws://bs2:8080"));
    demo.awaitPeer("frank", "erin", "internet");
    assertThat(demo.logs("frank")).doesNotContainPattern("Peer erin at \\S+ left");

    demo.send("erin", "frank", "moved to bs2, still here");
    demo.awaitMessage("frank", "erin", "moved to bs2, still here");
  }
}
