package io.parlance.client.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parlance.client.config.ConfigException;
import io.parlance.client.node.NodeOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParameterException;

/** The peer list and listener bounds as flags and {@code [limits]} keys, checked clearly. */
class LimitOptionsTest {

  @TempDir Path dir;

  @Command(name = "t")
  static final class Holder {
    @Mixin PeerOptions peer;
  }

  private NodeOptions options(String... args) {
    Holder holder = new Holder();
    new CommandLine(holder).parseArgs(args);
    Map<String, String> env = Map.of("XDG_CONFIG_HOME", dir.resolve("none").toString());
    return holder.peer.nodeOptions(holder.peer.settings(dir, env));
  }

  @Test
  void theDefaultsStayWhenNothingIsSet() {
    NodeOptions o = options("-n", "alice");
    NodeOptions defaults = NodeOptions.builder("alice").build();
    assertThat(o.maxPeers()).isEqualTo(defaults.maxPeers()).isEqualTo(4096);
    assertThat(o.maxPeersPerIp()).isEqualTo(256);
    assertThat(o.maxInboundConnections()).isEqualTo(defaults.maxInboundConnections());
    assertThat(o.maxInboundConnectionsPerAddress())
        .isEqualTo(defaults.maxInboundConnectionsPerAddress());
  }

  @Test
  void theConfigFileSetsTheLimitsAndFlagsOverrideIt() throws Exception {
    Path file = dir.resolve("parlance.toml");
    Files.writeString(
        file,
        "[limits]\nmax_peers = 500\nmax_peers_per_ip = 50\nmax_connections = 100\n"
            + "max_connections_per_address = 8\n");
    NodeOptions fromFile = options("-n", "alice", "--config", file.toString());
    assertThat(fromFile.maxPeers()).isEqualTo(500);
    assertThat(fromFile.maxPeersPerIp()).isEqualTo(50);
    assertThat(fromFile.maxInboundConnections()).isEqualTo(100);
    assertThat(fromFile.maxInboundConnectionsPerAddress()).isEqualTo(8);
    assertThat(fromFile.inboundLimits().maxConnections()).isEqualTo(100);

    NodeOptions flags =
        options(
            "-n",
            "alice",
            "--config",
            file.toString(),
            "--max-peers",
            "800",
            "--max-connections-per-address",
            "4");
    assertThat(flags.maxPeers()).isEqualTo(800);
    assertThat(flags.maxPeersPerIp()).isEqualTo(50);
    assertThat(flags.maxInboundConnectionsPerAddress()).isEqualTo(4);
  }

  @Test
  void badValuesAreRefusedNamingTheFlagOrTheKey() throws Exception {
    assertThatThrownBy(() -> options("-n", "alice", "--max-peers", "0"))
        .isInstanceOf(ParameterException.class)
        .hasMessage("--max-peers: must be at least 1, not 0");
    assertThatThrownBy(() -> options("-n", "alice", "--max-peers", "10"))
        .isInstanceOf(ParameterException.class)
        .hasMessageContaining("--max-peers-per-ip")
        .hasMessageContaining("cannot exceed");
    assertThatThrownBy(
            () ->
                options(
                    "-n",
                    "alice",
                    "--max-connections",
                    "10",
                    "--max-connections-per-address",
                    "20"))
        .isInstanceOf(ParameterException.class)
        .hasMessageContaining("cannot exceed the connections taken in all (10");
    Path file = dir.resolve("bad.toml");
    Files.writeString(file, "[limits]\nmax_connections = -3\n");
    assertThatThrownBy(() -> options("-n", "alice", "--config", file.toString()))
        .isInstanceOf(ConfigException.class)
        .hasMessage(file + ": key 'limits.max_connections': must be at least 1, not -3");
    Files.writeString(file, "[limits]\nmax_friends = 3\n");
    assertThatThrownBy(() -> options("-n", "alice", "--config", file.toString()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("unknown key 'limits.max_friends'");
  }
}
