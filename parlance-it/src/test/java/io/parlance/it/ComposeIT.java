package io.parlance.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.DockerClient;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.ContainerState;
import org.testcontainers.containers.DockerComposeContainer;

/**
 * Starts the repository's docker-compose.yml (a bootstrap server, two internet-mode peers on
 * separate networks, two local-mode peers on one LAN) and drives the peers through their control
 * socket commands, as a user or a script would.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ComposeIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration PATIENCE = Duration.ofSeconds(90);

  private static DockerComposeContainer<?> compose;
  private static int bootstrapPort;

  @BeforeAll
  static void startTheDemo() throws IOException, InterruptedException {
    Docker.require();
    Path root = Path.of(System.getenv().getOrDefault("PARLANCE_REPO_ROOT", "..")).toAbsolutePath();
    String baseImage =
        System.getenv().getOrDefault("PARLANCE_BASE_IMAGE", "parlance/jre-base:local");
    Docker.ensureBaseImage(root, baseImage);
    try (ServerSocket free = new ServerSocket(0)) {
      bootstrapPort = free.getLocalPort();
    }
    compose =
        new DockerComposeContainer<>(new File(root.toFile(), "docker-compose.yml"))
            .withBuild(true)
            .withPull(false)
            .withRemoveImages(DockerComposeContainer.RemoveImages.ALL)
            .withRemoveVolumes(true)
            .withEnv(
                "BASE_IMAGE",
                System.getenv().getOrDefault("PARLANCE_BASE_IMAGE", "parlance/jre-base:local"))
            .withEnv("PARLANCE_TAG", "it")
            .withEnv("PARLANCE_BOOTSTRAP_PORT", Integer.toString(bootstrapPort))
            .withEnv("PARLANCE_ANNOUNCE_SECS", "1")
            .withEnv("PARLANCE_TIMEOUT_SECS", "4")
            .withEnv("PARLANCE_SUBNET_PREFIX", "198.19")
            .withEnv("DOCKER_BUILDKIT", "0")
            .withEnv("COMPOSE_DOCKER_CLI_BUILD", "0")
            .withStartupTimeout(Duration.ofMinutes(5));
    compose.start();
  }

  @AfterAll
  static void stopTheDemo() {
    if (compose != null) {
      compose.stop();
    }
  }

  @Test
  @Order(1)
  void internetPeersOnSeparateNetworksFindEachOtherThroughTheServerAndChatBothWays()
      throws Exception {
    awaitPeer("alice", "bob", "internet");
    awaitPeer("bob", "alice", "internet");

    send("alice", "bob", "hello bob, from alice's network");
    awaitMessage("bob", "alice", "hello bob, from alice's network");
    send("bob", "alice", "hi alice, bob here");
    awaitMessage("alice", "bob", "hi alice, bob here");

    JsonNode health = healthz();
    assertThat(health.path("status").asText()).isEqualTo("ok");
    assertThat(health.path("peers_online").asInt()).isEqualTo(2);
  }

  @Test
  @Order(2)
  void lanPeersFindEachOtherByMulticastAndChat() throws Exception {
    awaitPeer("carol", "dave", "lan");
    awaitPeer("dave", "carol", "lan");

    send("carol", "dave", "psst, dave: multicast works");
    awaitMessage("dave", "carol", "psst, dave: multicast works");
    send("dave", "carol", "loud and clear, carol");
    awaitMessage("carol", "dave", "loud and clear, carol");

    // Local-mode peers never registered with the server.
    assertThat(healthz().path("peers_online").asInt()).isEqualTo(2);
  }

  @Test
  @Order(3)
  void afterTheServerRestartsThePeersRegisterAgainOnTheirOwn() throws Exception {
    DockerClient docker = DockerClientFactory.instance().client();
    docker.restartContainerCmd(container("bootstrap").getContainerId()).withTimeout(5).exec();

    // A restarted server starts with an empty registry: two peers online means both came back.
    await()
        .atMost(PATIENCE)
        .pollInterval(Duration.ofSeconds(1))
        .ignoreExceptions()
        .until(() -> healthz().path("peers_online").asInt() == 2);
    awaitPeer("alice", "bob", "internet");
    awaitPeer("bob", "alice", "internet");
    send("alice", "bob", "still there after the restart?");
    awaitMessage("bob", "alice", "still there after the restart?");
  }

  @Test
  @Order(4)
  void aFrozenLanPeerIsDroppedAfterTheTimeoutAndSeenAgainWhenItThaws() throws Exception {
    DockerClient docker = DockerClientFactory.instance().client();
    String dave = container("dave").getContainerId();
    docker.pauseContainerCmd(dave).exec();
    try {
      await()
          .atMost(PATIENCE)
          .pollInterval(Duration.ofMillis(500))
          .until(() -> !peerNames("carol").contains("dave"));
    } finally {
      docker.unpauseContainerCmd(dave).exec();
    }
    awaitPeer("carol", "dave", "lan");
  }

  @Test
  @Order(5)
  void aLanPeerStoppedCleanlyIsDroppedAtOnceByItsGoodbye() throws Exception {
    awaitPeer("carol", "dave", "lan");
    DockerClient docker = DockerClientFactory.instance().client();
    docker.stopContainerCmd(container("dave").getContainerId()).withTimeout(10).exec();
    await()
        .atMost(PATIENCE)
        .pollInterval(Duration.ofMillis(500))
        .until(() -> !peerNames("carol").contains("dave"));
    assertThat(logs("carol")).contains("dave").containsPattern("(?i)goodbye");
  }

  private static ContainerState container(String service) {
    return compose
        .getContainerByServiceName(service + "_1")
        .or(() -> compose.getContainerByServiceName(service))
        .orElseThrow(() -> new IllegalStateException("no container for service " + service));
  }

  private static ExecResult parlance(String service, String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add("parlance");
    command.addAll(List.of(args));
    return container(service).execInContainer(command.toArray(String[]::new));
  }

  private static List<String> peerNames(String service) throws Exception {
    List<String> names = new ArrayList<>();
    for (JsonNode peer : peers(service)) {
      names.add(peer.path("nickname").asText());
    }
    return names;
  }

  private static JsonNode peers(String service) throws Exception {
    ExecResult result = parlance(service, "peers", "--json");
    if (result.getExitCode() != 0) {
      throw new IllegalStateException(service + ": parlance peers failed: " + result.getStderr());
    }
    return JSON.readTree(result.getStdout()).path("peers");
  }

  private static void awaitPeer(String service, String nickname, String via) {
    await()
        .atMost(PATIENCE)
        .pollInterval(Duration.ofMillis(500))
        .ignoreExceptions()
        .untilAsserted(
            () ->
                assertThat(peers(service))
                    .anySatisfy(
                        p -> {
                          assertThat(p.path("nickname").asText()).isEqualTo(nickname);
                          assertThat(p.path("via").asText()).isEqualTo(via);
                        }));
  }

  private static void send(String service, String to, String text) {
    await()
        .atMost(PATIENCE)
        .pollInterval(Duration.ofSeconds(1))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              ExecResult result = parlance(service, "send", to, text);
              assertThat(result.getExitCode())
                  .as("%s: parlance send %s: %s", service, to, result.getStderr())
                  .isZero();
            });
  }

  private static void awaitMessage(String service, String from, String text) {
    await()
        .atMost(PATIENCE)
        .pollInterval(Duration.ofMillis(500))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              ExecResult result = parlance(service, "inbox", "--json");
              assertThat(result.getExitCode()).isZero();
              List<JsonNode> messages = new ArrayList<>();
              for (String line : result.getStdout().split("\n")) {
                if (!line.isBlank()) {
                  messages.add(JSON.readTree(line));
                }
              }
              assertThat(messages)
                  .anySatisfy(
                      m -> {
                        assertThat(m.path("from").asText()).isEqualTo(from);
                        assertThat(m.path("content").asText()).isEqualTo(text);
                      });
            });
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

  private static String logs(String service) throws Exception {
    StringBuilder out = new StringBuilder();
    DockerClientFactory.instance()
        .client()
        .logContainerCmd(container(service).getContainerId())
        .withStdOut(true)
        .withStdErr(true)
        .exec(
            new com.github.dockerjava.api.async.ResultCallback.Adapter<
                com.github.dockerjava.api.model.Frame>() {
              @Override
              public void onNext(com.github.dockerjava.api.model.Frame frame) {
                out.append(new String(frame.getPayload(), java.nio.charset.StandardCharsets.UTF_8));
              }
            })
        .awaitCompletion(10, java.util.concurrent.TimeUnit.SECONDS);
    return out.toString();
  }
}
