package io.parlance.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.ContainerState;
import org.testcontainers.containers.DockerComposeContainer;

/**
 * One of the repository's compose demos, started for a test (built here from the local base image,
 * removed with its images and volumes afterwards), with the peers driven through their control
 * socket commands as a user or a script would.
 */
final class ComposeDemo implements AutoCloseable {

  static final Duration PATIENCE = Duration.ofSeconds(90);

  private static final ObjectMapper JSON = new ObjectMapper();

  private final DockerComposeContainer<?> compose;

  private ComposeDemo(DockerComposeContainer<?> compose) {
    this.compose = compose;
  }

  /**
   * Builds and starts a compose file of the repository.
   *
   * @param root the repository
   * @param file the compose file's name
   * @param env its settings, besides the base image, the tag and the classic builder
   * @return the running demo
   */
  static ComposeDemo start(Path root, String file, Map<String, String> env)
      throws IOException, InterruptedException {
    String baseImage =
        System.getenv().getOrDefault("PARLANCE_BASE_IMAGE", "parlance/jre-base:local");
    Docker.ensureBaseImage(root, baseImage);
    DockerComposeContainer<?> compose =
        new DockerComposeContainer<>(new File(root.toFile(), file))
            .withBuild(true)
            .withPull(false)
            .withRemoveImages(DockerComposeContainer.RemoveImages.ALL)
            .withRemoveVolumes(true)
            .withEnv("BASE_IMAGE", baseImage)
            .withEnv("PARLANCE_TAG", "it")
            .withEnv("DOCKER_BUILDKIT", "0")
            .withEnv("COMPOSE_DOCKER_CLI_BUILD", "0")
            .withEnv(env)
            .withStartupTimeout(Duration.ofMinutes(5));
    compose.start();
    return new ComposeDemo(compose);
  }

  @Override
  public void close() {
    compose.stop();
  }

  ContainerState container(String service) {
    return compose
        .getContainerByServiceName(service + "_1")
        .or(() -> compose.getContainerByServiceName(service))
        .orElseThrow(() -> new IllegalStateException("no container for service " + service));
  }

  ExecResult parlance(String service, String... args) throws Exception {
    List<String> command = new ArrayList<>();
    command.add("parlance");
    command.addAll(List.of(args));
    return container(service).execInContainer(command.toArray(String[]::new));
  }

  List<String> peerNames(String service) throws Exception {
    List<String> names = new ArrayList<>();
    for (JsonNode peer : peers(service)) {
      names.add(peer.path("nickname").asText());
    }
    return names;
  }

  JsonNode peers(String service) throws Exception {
    ExecResult result = parlance(service, "peers", "--json");
    if (result.getExitCode() != 0) {
      throw new IllegalStateException(service + ": parlance peers failed: " + result.getStderr());
    }
    return JSON.readTree(result.getStdout()).path("peers");
  }

  void awaitPeer(String service, String nickname, String via) {
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

  void send(String service, String to, String text) {
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

  void awaitMessage(String service, String from, String text) {
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

  String logs(String service) throws Exception {
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
