package io.parlance.client.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigFileTest {

  @TempDir Path dir;

  private Path write(String toml) throws IOException {
    Path file = dir.resolve("parlance.toml");
    Files.writeString(file, toml);
    return file;
  }

  @Test
  void aListOfBootstrapServersIsReadInItsOrder() throws IOException {
    Settings s =
        ConfigFile.read(
            write(
                """
                [network]
                bootstrap_server = ["ws://a.example:8080", "wss://b.example"]
                """));
    assertThat(s.bootstrapServer()).isEqualTo("ws://a.example:8080,wss://b.example");
  }

  @Test
  void readsEveryKeyOfTheOriginalLayout() throws IOException {
    Settings s =
        ConfigFile.read(
            write(
                """
                [network]
                mode = "local"
                bootstrap_server = "ws://example:9000"
                interface = "lo"
                port = 4000

                [peer]
                nickname = "alice"
                announce_interval_secs = 2
                timeout_secs = 7
                """));
    assertThat(s)
        .isEqualTo(new Settings("alice", Mode.LOCAL, "ws://example:9000", "lo", 4000, 2, 7));
  }

  @Test
  void theShippedExampleRoundTripsToTheDefaults() {
    Path file = dir.resolve("sub/generated.toml");
    ConfigFile.writeExample(file);
    Settings read = ConfigFile.read(file);
    assertThat(Settings.defaults().overriddenBy(read)).isEqualTo(Settings.defaults());
    assertThatThrownBy(() -> ConfigFile.writeExample(file))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("already exists");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "'[peer]\ntimeout_secs = \"abc\"'            | key 'peer.timeout_secs': has the wrong type",
        "'[peer]\ntimeout_secs = 0'                  | key 'peer.timeout_secs': must be at least 1",
        "'[network]\nmode = \"cloud\"'               | key 'network.mode': 'cloud' is not a mode",
        "'[network]\nport = 70000'                   | key 'network.port': 70000 is outside 0-65535",
        "'[network]\ncolour = \"red\"'               | unknown key 'network.colour'",
        "'[peer]\nnickname = \" alice\"'             | key 'peer.nickname': nickname has leading",
        "'[peer\ntimeout_secs = 3'                   | not valid TOML",
      })
  void aBadFileIsReportedWithTheFileAndTheKey(String toml, String expected) throws IOException {
    Path file = write(toml);
    assertThatThrownBy(() -> ConfigFile.read(file))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(file.toString() + ": ")
        .hasMessageContaining(expected);
  }

  @Test
  void locatesTheExplicitFileThenTheWorkingDirectoryThenTheUserDirectory() throws IOException {
    Path cwd = Files.createDirectories(dir.resolve("cwd"));
    Path xdg = Files.createDirectories(dir.resolve("xdg/parlance"));
    Map<String, String> env = Map.of("XDG_CONFIG_HOME", dir.resolve("xdg").toString());

    assertThat(ConfigFile.locate(null, cwd, env)).isEmpty();
    Files.writeString(xdg.resolve("parlance.toml"), "");
    assertThat(ConfigFile.locate(null, cwd, env)).contains(xdg.resolve("parlance.toml"));
    Files.writeString(cwd.resolve("parlance.toml"), "");
    assertThat(ConfigFile.locate(null, cwd, env)).contains(cwd.resolve("parlance.toml"));
    assertThat(ConfigFile.locate(Path.of("x.toml"), cwd, env)).contains(Path.of("x.toml"));
  }

  @Test
  void aFileOverTheSizeLimitIsRefusedWithoutParsingIt() throws IOException {
    Path big = write("# " + "x".repeat(ConfigFile.MAX_FILE_BYTES) + "\n");
    assertThatThrownBy(() -> ConfigFile.read(big))
        .isInstanceOf(ConfigException.class)
        .hasMessage(
            big
                + ": is "
                + (ConfigFile.MAX_FILE_BYTES + 3)
                + " bytes, over the limit of "
                + ConfigFile.MAX_FILE_BYTES
                + " bytes");
  }

  @Test
  void aMissingExplicitFileIsAnError() {
    Path missing = dir.resolve("nope.toml");
    assertThatThrownBy(() -> ConfigFile.read(missing))
        .isInstanceOf(ConfigException.class)
        .hasMessage(missing + ": no such file");
  }

  @Test
  void layersDefaultsFileEnvironmentAndFlagsInThatOrder() {
    Settings file = new Settings("filenick", null, null, "eth0", 4000, 2, null);
    Settings env =
        Environment.read(Map.of("PARLANCE_NICKNAME", "envnick", "PARLANCE_PORT", "5000"));
    Settings flags = new Settings(null, null, null, "lo", null, null, null);

    Settings s = Settings.defaults().overriddenBy(file).overriddenBy(env).overriddenBy(flags);

    assertThat(s)
        .isEqualTo(
            new Settings(
                "envnick",
                Mode.LOCAL,
                Settings.DEFAULT_BOOTSTRAP_SERVER,
                "lo",
                5000,
                2,
                15,
                false,
                true));
  }

  @Test
  void theMailboxKeyIsReadFromTheNetworkSection() throws IOException {
    assertThat(ConfigFile.read(write("[network]\nmailbox = false\n")).mailbox()).isFalse();
    assertThat(ConfigFile.read(write("[network]\nmailbox = true\n")).mailbox()).isTrue();
    assertThat(ConfigFile.read(write("[network]\nport = 1\n")).mailbox()).isNull();
  }

  @Test
  void aBadEnvironmentVariableIsNamed() {
    assertThatThrownBy(() -> Environment.read(Map.of("PARLANCE_PORT", "lots")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("PARLANCE_PORT");
  }
}
