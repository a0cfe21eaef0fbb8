package io.parlance.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs one of the namespace labs' scripts ({@code scripts/natlab.sh}, {@code scripts/roomlab.sh})
 * as {@code bash SCRIPT test}, bounded: past the limit the script and everything it started are
 * ended and the lab taken down with {@code SCRIPT down} (the script takes it down itself when it
 * ends on its own). The caller then checks what the script reported.
 */
final class LabScript {

  private LabScript() {}

  /**
   * The repository's copy of a lab script, or the test skipped when there is none or the tests do
   * not run as root (network namespaces need it).
   *
   * @param name the script's file name under {@code scripts/}
   * @param what what needs root, for the skip message
   * @return the script's path
   */
  static Path script(String name, String what) throws IOException, InterruptedException {
    Path script = root().resolve("scripts").resolve(name);
    assumeTrue(Files.isRegularFile(script), "no scripts/" + name + " under " + root());
    assumeTrue(
        "0".equals(output(List.of("id", "-u")).strip()),
        what + " needs root to make network namespaces; run the ITs as root to include it");
    return script;
  }

  /** The repository's root (the reactor runs this module's tests from its own directory). */
  static Path root() {
    return Path.of(System.getenv().getOrDefault("PARLANCE_REPO_ROOT", "..")).toAbsolutePath();
  }

  /**
   * Runs {@code bash SCRIPT test} with the given environment, its output into {@code log}, and
   * returns that output once it ended: asserted to have ended within the limit, and the test
   * skipped when the script says it cannot run here (its exit code 3).
   *
   * @param script the script
   * @param env variables added to the script's environment
   * @param log where its output goes
   * @param limitSeconds the most the run may take, lab set-up and take-down included
   * @param label how the script is named in the output printed and in failures
   * @return the script's output and its exit code
   */
  static Result test(
      Path script, Map<String, String> env, Path log, long limitSeconds, String label)
      throws IOException, InterruptedException {
    ProcessBuilder pb =
        new ProcessBuilder("bash", script.toString(), "test")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    pb.environment().putAll(env);
    long started = System.nanoTime();
    Process p = pb.start();
    boolean finished = p.waitFor(limitSeconds, TimeUnit.SECONDS);
    if (!finished) {
      end(p);
      new ProcessBuilder("bash", script.toString(), "down")
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start()
          .waitFor(60, TimeUnit.SECONDS);
    }
    long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
    String out = Files.readString(log, StandardCharsets.UTF_8);
    System.out.println(label + " (" + seconds + " s):\n" + out);
    assertThat(finished)
        .as("%s finished within %d s; its output:%n%s", label, limitSeconds, out)
        .isTrue();
    assumeTrue(p.exitValue() != 3, label + " skipped: " + out.strip());
    return new Result(out, p.exitValue());
  }

  /** What a lab script printed, and how it exited. */
  record Result(String out, int exitCode) {}

  private static void end(Process p) throws InterruptedException {
    List<ProcessHandle> tree = p.descendants().toList();
    tree.forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly();
    p.waitFor(10, TimeUnit.SECONDS);
  }

  private static String output(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    p.waitFor(10, TimeUnit.SECONDS);
    return out;
  }
}
