package io.parlance.client.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real {@code parlance daemon} processes on loopback, driven by the real {@code parlance send},
 * {@code peers} and {@code inbox} commands as scripts and health checks use them.
 */
class DaemonProcessesIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir Path dir;

  private final int multicastPort = 40_000 + ThreadLocalRandom.current().nextInt(10_000);
  private final String suffix = Integer.toString(ThreadLocalRandom.current().nextInt(1000, 9999));
  private final List<Process> started = new ArrayList<>();

  @AfterEach
  void stopAll() throws InterruptedException {
    for (Process p : started) {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private String nick(String base) {
    return base + "-" + suffix;
  }

  private Path dataDir(String base) {
    return dir.resolve(base);
  }

  private Process daemon(String base) throws IOException {
    return daemon(base, base);
  }

  private Process daemon(String base, String logName) throws IOException {
    List<String> command =
        List.of(
            ParlanceProcess.javaBin(),
            "-XX:TieredStopAtLevel=1",
            "-jar",
            ParlanceProcess.jar().toString(),
            "daemon",
            "--nickname",
            nick(base),
            "--interface",
            "lo",
            "--multicast-port",
            Integer.toString(multicastPort),
            "--announce-interval",
            "1",
            "--peer-timeout",
            "3",
            "--data-dir",
            dataDir(base).toString(),
            "--log-level",
            "info");
    Process p =
        new ProcessBuilder(command)
            .redirectOutput(dir.resolve(logName + ".out").toFile())
            .redirectError(dir.resolve(logName + ".log").toFile())
            .start();
    started.add(p);
    return p;
  }

  private Process runningDaemon(String base) throws IOException {
    Process p = daemon(base);
    await()
        .atMost(WAIT)
        .alias(base + " starts (log: " + dir.resolve(base + ".log") + ")")
        .until(() -> Files.exists(dataDir(base).resolve("control.sock")) || !p.isAlive());
    assertThat(p.isAlive()).as("daemon " + base + " runs").isTrue();
    return p;
  }

  private ParlanceProcess.ProcessResult cli(String base, String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of(args));
    all.add(1, "--data-dir");
    all.add(2, dataDir(base).toString());
    return ParlanceProcess.run(all.toArray(String[]::new));
  }

  private List<String> peersOf(String base) throws Exception {
    ParlanceProcess.ProcessResult r = cli(base, "peers", "--json");
    assertThat(r.exitCode()).as(r.err()).isZero();
    JsonNode event = JSON.readTree(r.out());
    assertThat(event.path("event").asText()).isEqualTo("peers");
    return event.path("peers").findValuesAsText("nickname");
  }

  @Test
  void scriptsSeePeersSendReadTheInboxFollowItAndStopTheDaemon() throws Exception {
    runningDaemon("alice");
    Process bob = runningDaemon("bob");

    await().atMost(WAIT).until(() -> peersOf("alice").contains(nick("bob")));
    await().atMost(WAIT).until(() -> peersOf("bob").contains(nick("alice")));

    ParlanceProcess.ProcessResult table = cli("alice", "peers");
    assertThat(table.exitCode()).isZero();
    List<String> rows = table.out().lines().toList();
    assertThat(rows.get(0)).matches("nickname +address +via +security");
    assertThat(rows)
        .anyMatch(
            r ->
                r.matches(
                    nick("bob") + " +127\\.0\\.0\\.1:\\d+ +lan +encrypted, id [A-Z2-7-]{64}"));

    ParlanceProcess.ProcessResult sent =
        cli("alice", "send", nick("bob"), "hello", "from a script 😀");
    assertThat(sent.exitCode()).as(sent.err()).isZero();
    assertThat(sent.out()).isEmpty();

    ParlanceProcess.ProcessResult inbox = cli("bob", "inbox", "--json");
    assertThat(inbox.exitCode()).as(inbox.err()).isZero();
    JsonNode message = JSON.readTree(inbox.out().lines().findFirst().orElseThrow());
    assertThat(message.path("event").asText()).isEqualTo("message");
    assertThat(message.path("from").asText()).isEqualTo(nick("alice"));
    assertThat(message.path("content").asText()).isEqualTo("hello from a script 😀");
    assertThat(message.path("address").asText()).startsWith("127.0.0.1:");
    assertThat(message.path("timestamp").asLong()).isPositive();

    ParlanceProcess.ProcessResult text = cli("bob", "inbox");
    assertThat(text.out().strip())
        .matches("\\[\\d\\d:\\d\\d:\\d\\d\\] " + nick("alice") + ": hello from a script 😀");

    ParlanceProcess.ProcessResult unknown = cli("alice", "send", "nobody-" + suffix, "hi");
    assertThat(unknown.exitCode()).isEqualTo(1);
    assertThat(unknown.err().strip())
        .isEqualTo(
            "parlance: no peer called nobody-"
                + suffix
                + " is online or known from earlier messages");

    List<String> followed = new CopyOnWriteArrayList<>();
    Process follow = follow("bob", followed);
    await().atMost(WAIT).until(() -> !followed.isEmpty()); // the history: it is subscribed
    assertThat(cli("alice", "send", nick("bob"), "streamed").exitCode()).isZero();
    await().atMost(WAIT).until(() -> followed.stream().anyMatch(l -> l.endsWith(": streamed")));

    bob.destroy(); // SIGTERM

    assertThat(bob.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(bob.exitValue()).isZero();
    assertThat(dataDir("bob").resolve("control.sock")).doesNotExist();
    assertThat(follow.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(follow.exitValue()).isZero();
    // Goodbye, not the 3 s timeout: alice drops bob at once.
    assertThat(peersOf("alice")).doesNotContain(nick("bob"));
    assertThat(Files.readString(dir.resolve("bob.log")))
        .contains("Node " + nick("bob") + " stopped");
  }

  private Process follow(String base, List<String> lines) throws IOException {
    Process p =
        new ProcessBuilder(
                ParlanceProcess.javaBin(),
                "-jar",
                ParlanceProcess.jar().toString(),
                "inbox",
                "--follow",
                "--data-dir",
                dataDir(base).toString())
            .redirectError(dir.resolve(base + "-follow.err").toFile())
            .start();
    started.add(p);
    Thread pump =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                  lines.add(line);
                }
              } catch (IOException e) {
                lines.add("(reader ended: " + e + ")");
              }
            },
            "follow-" + base);
    pump.setDaemon(true);
    pump.start();
    return p;
  }

  @Test
  void withNoDaemonEveryScriptCommandExitsOneWithAClearMessage() throws Exception {
    Path none = dataDir("none");
    String hint =
        "parlance: no parlance daemon is running for data directory '"
            + none
            + "' (start one with: parlance daemon --nickname NAME --data-dir "
            + none
            + ")";
    for (String[] command :
        List.of(
            new String[] {"peers"},
            new String[] {"peers", "--json"},
            new String[] {"send", "bob", "hi"},
            new String[] {"inbox", "--follow"})) {
      ParlanceProcess.ProcessResult r = cli("none", command);
      assertThat(r.exitCode()).as(String.join(" ", command)).isEqualTo(1);
      assertThat(r.err().strip()).isEqualTo(hint);
      assertThat(r.out()).isEmpty();
    }
    assertThat(none).doesNotExist();

    ParlanceProcess.ProcessResult byProfile = ParlanceProcess.run("peers", "--profile", "ghost");
    assertThat(byProfile.exitCode()).isEqualTo(1);
    assertThat(byProfile.err().strip())
        .isEqualTo(
            "parlance: no parlance daemon is running for profile 'ghost' (start one with:"
                + " parlance daemon --nickname NAME --profile ghost)");
  }

  @Test
  void aSecondDaemonOnAProfileInUseExitsOneNamingTheFirst() throws Exception {
    Process first = runningDaemon("carol");

    Process second = daemon("carol", "carol-again");

    assertThat(second.waitFor(20, TimeUnit.SECONDS)).isTrue();
    assertThat(second.exitValue()).isEqualTo(1);
    assertThat(Files.readString(dir.resolve("carol-again.log")).strip())
        .endsWith(
            "parlance: data directory '"
                + dataDir("carol")
                + "' is already in use by another parlance (pid "
                + first.pid()
                + ")");
    assertThat(first.isAlive()).isTrue();
    assertThat(peersOf("carol")).isEmpty();
  }
}
