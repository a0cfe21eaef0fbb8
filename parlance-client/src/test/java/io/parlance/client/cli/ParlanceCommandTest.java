package io.parlance.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.parlance.client.config.Mode;
import io.parlance.client.node.NodeOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ParlanceCommandTest {

  @TempDir Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(ParlanceCommand command, String... args) {
    command.environment =
        Map.of(
            "XDG_CONFIG_HOME", dir.resolve("none").toString(),
            "XDG_DATA_HOME", dir.resolve("data").toString());
    command.workingDirectory = dir;
    CommandLine cmd = Main.commandLine(command);
    cmd.setOut(new PrintWriter(out));
    cmd.setErr(new PrintWriter(err));
    return cmd.execute(args);
  }

  @Test
  void printsTheVersionOfTheBuild() {
    assertThat(run(new ParlanceCommand(), "--version")).isZero();
    assertThat(out.toString()).startsWith("parlance ").doesNotContain("${");
  }

  @Test
  void printsHelpWithEveryFlagOfTheIssue() {
    assertThat(run(new ParlanceCommand(), "--help")).isZero();
    assertThat(out.toString())
        .contains(
            "--nickname",
            "--mode",
            "--interface",
            "--port",
            "--config",
            "--json",
            "--log-level",
            "--generate-config",
            "--version");
    assertThat(out.toString())
        .contains("Commands in the chat:")
        .containsPattern("(?m)^  /verify <peer> +show your id")
        .containsPattern("(?m)^  /trust <peer> +accept the key")
        .containsPattern("(?m)^  /send, /msg <nick> <text> +send a message");
  }

  @Test
  void aProfileGivenBeforeTheCommandNameSelectsItsDaemonAsOneGivenAfterIt() {
    assertThat(run(new ParlanceCommand(), "--profile", "ivy", "peers")).isEqualTo(1);
    assertThat(err.toString())
        .startsWith("parlance: no parlance daemon is running for profile 'ivy'")
        .contains("--profile ivy");
  }

  @Test
  void anUnknownModeIsAUsageErrorListingTheModesWithoutAJavaTypeName() {
    assertThat(run(new ParlanceCommand(), "-n", "alice", "--mode", "lan")).isEqualTo(2);
    assertThat(err.toString())
        .contains("'lan' is not a mode; use 'local', 'internet' or 'both'")
        .doesNotContain("Exception")
        .doesNotContain("java.");
  }

  @Test
  void aZeroAnnounceIntervalIsAUsageErrorInSeconds() {
    assertThat(run(new ParlanceCommand(), "-n", "alice", "--announce-interval", "0")).isEqualTo(2);
    assertThat(err.toString())
        .startsWith("parlance: --announce-interval: must be at least 1 second, not 0")
        .doesNotContain("PT0S");
  }

  @Test
  void anUnknownFlagIsAUsageErrorWithOneLineReason() {
    assertThat(run(new ParlanceCommand(), "--frobnicate")).isEqualTo(2);
    assertThat(err.toString()).startsWith("parlance: Unknown option: '--frobnicate'");
  }

  @Test
  void aMissingNicknameIsAUsageError() {
    assertThat(run(new ParlanceCommand(), "--interface", "lo")).isEqualTo(2);
    assertThat(err.toString()).contains("missing nickname");
  }

  @Test
  void anInvalidNicknameIsAUsageError() {
    assertThat(run(new ParlanceCommand(), "--nickname", " bad", "--interface", "lo")).isEqualTo(2);
    assertThat(err.toString()).contains("invalid nickname: nickname has leading or trailing");
  }

  @Test
  void aBadConfigFileIsAUsageErrorNamingTheFileAndKey() throws Exception {
    Path file = dir.resolve("bad.toml");
    Files.writeString(file, "[peer]\ntimeout_secs = \"soon\"\n");
    assertThat(run(new ParlanceCommand(), "-n", "alice", "--config", file.toString())).isEqualTo(2);
    assertThat(err.toString())
        .startsWith("parlance: " + file + ": key 'peer.timeout_secs'")
        .doesNotContain("at io.");
  }

  @Test
  void anUnknownInterfaceIsAFailureWithOneLineReason() {
    int code =
        run(
            new ParlanceCommand(),
            "-n",
            "alice",
            "--interface",
            "nosuch0",
            "--json",
            "--log-level",
            "off");
    assertThat(code).isEqualTo(1);
    assertThat(err.toString().strip()).startsWith("parlance: no network interface named 'nosuch0'");
    assertThat(err.toString().strip().lines()).hasSize(1);
  }

  @Test
  void generatesAnExampleConfig() {
    Path file = dir.resolve("example.toml");
    assertThat(run(new ParlanceCommand(), "--generate-config", file.toString())).isZero();
    assertThat(file).content().contains("[network]", "[peer]", "announce_interval_secs");
  }

  @Test
  void flagsWinOverTheConfigFile() throws Exception {
    Files.writeString(
        dir.resolve("parlance.toml"),
        "[network]\ninterface = \"eth9\"\nport = 4000\n[peer]\nnickname = \"filenick\"\n"
            + "announce_interval_secs = 2\ntimeout_secs = 6\n");
    ParlanceCommand command = new ParlanceCommand();
    CommandLine cmd = Main.commandLine(command);
    command.environment = Map.of();
    command.workingDirectory = dir;
    cmd.parseArgs("--interface", "lo", "--mode", "LOCAL");

    NodeOptions options = command.nodeOptions(command.settings());

    assertThat(command.settings().mode()).isEqualTo(Mode.LOCAL);
    assertThat(options.nickname()).isEqualTo("filenick");
    assertThat(options.interfaceName()).isEqualTo("lo");
    assertThat(options.tcpPort()).isEqualTo(4000);
    assertThat(options.announceInterval()).isEqualTo(Duration.ofSeconds(2));
    assertThat(options.peerTimeout()).isEqualTo(Duration.ofSeconds(6));
  }
}
