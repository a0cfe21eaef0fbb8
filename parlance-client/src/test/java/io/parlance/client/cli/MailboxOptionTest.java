package io.parlance.client.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parlance.client.config.ConfigException;
import io.parlance.client.node.NodeOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * The client's mailbox switch in every layer: {@code [network] mailbox} in parlance.toml, {@code
 * PARLANCE_MAILBOX}, and {@code --no-mailbox} / {@code --mailbox}, each winning over the one
 * before.
 */
class MailboxOptionTest {

  @TempDir Path dir;

  @Command(name = "t")
  static final class Holder {
    @Mixin PeerOptions peer;
  }

  private NodeOptions options(Map<String, String> extraEnv, String... args) {
    Holder holder = new Holder();
    new CommandLine(holder).parseArgs(args);
    Map<String, String> env = new HashMap<>(extraEnv);
    env.put("XDG_CONFIG_HOME", dir.resolve("none").toString());
    return holder.peer.nodeOptions(holder.peer.settings(dir, env));
  }

  private Path file(String toml) throws Exception {
    Path file = dir.resolve("parlance.toml");
    Files.writeString(file, toml);
    return file;
  }

  @Test
  void theMailboxIsUsedUnlessSomethingTurnsItOff() {
    assertThat(options(Map.of(), "-n", "alice").mailbox()).isTrue();
    assertThat(options(Map.of(), "-n", "alice", "--no-mailbox").mailbox()).isFalse();
  }

  @Test
  void theConfigFileTurnsItOffAndTheEnvironmentAndFlagsWinOverIt() throws Exception {
    String off = file("[network]\nmailbox = false\n").toString();
    assertThat(options(Map.of(), "-n", "alice", "--config", off).mailbox()).isFalse();
    assertThat(options(Map.of(), "-n", "alice", "--config", off, "--mailbox").mailbox()).isTrue();
    assertThat(
            options(Map.of("PARLANCE_MAILBOX", "true"), "-n", "alice", "--config", off).mailbox())
        .isTrue();
    assertThat(
            options(
                    Map.of("PARLANCE_MAILBOX", "true"),
                    "-n",
                    "alice",
                    "--config",
                    off,
                    "--no-mailbox")
                .mailbox())
        .isFalse();

    String on = file("[network]\nmailbox = true\n").toString();
    assertThat(options(Map.of(), "-n", "alice", "--config", on).mailbox()).isTrue();
    assertThat(options(Map.of("PARLANCE_MAILBOX", "off"), "-n", "alice", "--config", on).mailbox())
        .isFalse();
  }

  @Test
  void aBadValueIsRefusedNamingTheKeyOrTheVariable() throws Exception {
    Path bad = dir.resolve("bad.toml");
    Files.writeString(bad, "[network]\nmailbox = \"sometimes\"\n");
    assertThatThrownBy(() -> options(Map.of(), "-n", "alice", "--config", bad.toString()))
        .isInstanceOf(ConfigException.class)
        .hasMessage(bad + ": key 'network.mailbox': has the wrong type (expected true or false)");
    assertThatThrownBy(() -> options(Map.of("PARLANCE_MAILBOX", "maybe"), "-n", "alice"))
        .isInstanceOf(ConfigException.class)
        .hasMessage("environment variable PARLANCE_MAILBOX: 'maybe' is not true or false");
  }
}
