package io.parlance.client.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** The built client as a real process in {@code --json} mode on loopback, with its events. */
final class ParlanceProcess implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Process process;
  private final List<JsonNode> events = new CopyOnWriteArrayList<>();
  private final List<String> stderr = new CopyOnWriteArrayList<>();
  private final OutputStream stdin;
  final String nickname;

  private ParlanceProcess(Process process, String nickname) {
    this.process = process;
    this.nickname = nickname;
    this.stdin = process.getOutputStream();
    pump(
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)),
        true);
    pump(
        new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8)),
        false);
  }

  static Path jar() {
    String jar = System.getProperty("parlance.jar");
    if (jar == null) {
      throw new IllegalStateException("run through Failsafe: -Dparlance.jar is not set");
    }
    return Path.of(jar);
  }

  static ProcessResult run(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(javaBin(), "-jar", jar().toString()));
    command.addAll(List.of(args));
    // Output goes to files, so a command that prints a lot cannot block on a full pipe.
    Path scratch = scratchDirectory();
    Path out = scratch.resolve("stdout");
    Path err = scratch.resolve("stderr");
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .redirectInput(ProcessBuilder.Redirect.PIPE)
            .redirectOutput(out.toFile())
            .redirectError(err.toFile());
    // Keep profiles out of the real home: a test's own --data-dir still wins.
    builder.environment().put("XDG_DATA_HOME", scratch.toString());
    Process p = builder.start();
    try {
      p.getOutputStream().close();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        throw new AssertionError("parlance " + String.join(" ", args) + " did not exit");
      }
      return new ProcessResult(
          p.exitValue(),
          Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      p.destroyForcibly();
    }
  }

  record ProcessResult(int exitCode, String out, String err) {}

  /**
   * Starts the client on loopback.
   *
   * @param nickname its nickname
   * @param multicastPort the multicast port, or 0 for the protocol's default
   * @param extra more arguments
   */
  static ParlanceProcess start(String nickname, int multicastPort, String... extra)
      throws IOException {
    return start(nickname, multicastPort, scratchDirectory(), extra);
  }

  /**
   * Starts the client on loopback with a given profile directory, which a later process may use
   * again.
   *
   * @param nickname its nickname
   * @param multicastPort the multicast port, or 0 for the protocol's default
   * @param dataDir the profile's data directory
   * @param extra more arguments
   */
  static ParlanceProcess start(String nickname, int multicastPort, Path dataDir, String... extra)
      throws IOException {
    List<String> command =
        new ArrayList<>(
            List.of(
                javaBin(),
                "-Xshare:auto",
                "-XX:TieredStopAtLevel=1",
                "-jar",
                jar().toString(),
                "--json",
                "--interface",
                "lo",
                "--nickname",
                nickname,
                "--log-level",
                "warn",
                "--data-dir",
                dataDir.toString()));
    if (multicastPort != 0) {
      command.addAll(List.of("--multicast-port", Integer.toString(multicastPort)));
    }
    command.addAll(List.of(extra));
    return new ParlanceProcess(new ProcessBuilder(command).start(), nickname);
  }

  /** A fresh directory for one process's profile; each chat peer needs its own. */
  static Path scratchDirectory() throws IOException {
    Path dir = jar().toAbsolutePath().resolveSibling("it-profiles");
    Files.createDirectories(dir);
    return Files.createTempDirectory(dir, "profile-");
  }

  static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private void pump(BufferedReader reader, boolean json) {
    Thread t =
        new Thread(
            () -> {
              try {
                for (String line; (line = reader.readLine()) != null; ) {
                  if (json) {
                    events.add(JSON.readTree(line));
                  } else {
                    stderr.add(line);
                  }
                }
              } catch (IOException e) {
                stderr.add("(reader ended: " + e + ")");
              }
            },
            "pump-" + nickname + (json ? "-out" : "-err"));
    t.setDaemon(true);
    t.start();
  }

  void command(String line) throws IOException {
    stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
    stdin.flush();
  }

  void closeStdin() throws IOException {
    stdin.close();
  }

  List<JsonNode> events() {
    return events;
  }

  List<String> stderr() {
    return stderr;
  }

  JsonNode await(String event, Predicate<JsonNode> match, Duration timeout) {
    Predicate<JsonNode> full = e -> e.path("event").asText().equals(event) && match.test(e);
    org.awaitility.Awaitility.await()
        .atMost(timeout)
        .alias(
            nickname + " waits for " + event + " (events: " + events + ", stderr: " + stderr + ")")
        .until(() -> find(full).isPresent());
    return find(full).orElseThrow();
  }

  JsonNode await(String event, Predicate<JsonNode> match) {
    return await(event, match, Duration.ofSeconds(10));
  }

  private Optional<JsonNode> find(Predicate<JsonNode> match) {
    return events.stream().filter(match).findFirst();
  }

  int tcpPort() {
    return await("ready", e -> true).path("tcp_port").asInt();
  }

  String address() {
    return "127.0.0.1:" + tcpPort();
  }

  Process process() {
    return process;
  }

  @Override
  public void close() {
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
