package io.parlance.it;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.testcontainers.DockerClientFactory;

/** Whether these tests can run here: in CI a missing Docker fails them, elsewhere it skips them. */
final class Docker {

  private Docker() {}

  static void require() {
    boolean available;
    try {
      available = DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException e) {
      available = false;
    }
    String reason =
        "no Docker engine answers: run scripts/ensure-docker.sh and scripts/build-base-image.sh"
            + " (or .ci/run, which does both)";
    if (System.getenv("CI") != null && !System.getenv("CI").isBlank()) {
      if (!available) {
        throw new IllegalStateException("CI needs Docker for the integration tests: " + reason);
      }
    } else {
      assumeTrue(available, reason);
    }
  }

  /**
   * Makes sure the base image exists, building the local one with the repository's script when it
   * is the one asked for and missing.
   */
  static void ensureBaseImage(Path root, String image) throws IOException, InterruptedException {
    ensureImage(root, image, "parlance/jre-base:local", "scripts/build-base-image.sh");
  }

  /**
   * Makes sure the Redis image exists, building the local one from Debian's redis-server with the
   * repository's script when it is the one asked for and missing.
   */
  static void ensureRedisImage(Path root, String image) throws IOException, InterruptedException {
    ensureImage(root, image, "parlance/redis:local", "scripts/build-redis-image.sh");
  }

  /**
   * Makes sure the NAT demo's router image exists, building the local one from the host's iptables
   * with the repository's script when it is the one asked for and missing.
   */
  static void ensureRouterImage(Path root, String image) throws IOException, InterruptedException {
    ensureImage(root, image, "parlance/router:local", "scripts/build-router-image.sh");
  }

  private static void ensureImage(Path root, String image, String local, String script)
      throws IOException, InterruptedException {
    boolean present;
    try {
      DockerClientFactory.instance().client().inspectImageCmd(image).exec();
      present = true;
    } catch (com.github.dockerjava.api.exception.NotFoundException e) {
      present = false;
    }
    if (present || !image.equals(local)) {
      return;
    }
    Process build =
        new ProcessBuilder(root.resolve(script).toString())
            .directory(root.toFile())
            .inheritIO()
            .start();
    if (!build.waitFor(10, TimeUnit.MINUTES)) {
      build.destroyForcibly();
      throw new IllegalStateException(script + " did not finish in 10 minutes");
    }
    if (build.exitValue() != 0) {
      throw new IllegalStateException(script + " failed (exit " + build.exitValue() + ")");
    }
  }
}
