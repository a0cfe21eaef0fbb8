package io.parlance.client.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.parlance.protocol.Nickname;
import java.nio.file.Path;

/**
 * Fuzzes the {@code parlance.toml} parser: any content is either settings that pass every check the
 * file's keys have, or a {@link ConfigException} of one bounded line that names the file.
 */
class ConfigFileFuzzTest {

  private static final Path FILE = Path.of("/tmp/fuzz/parlance.toml");

  @FuzzTest
  void anyFileIsCheckedSettingsOrAOneLineErrorNamingTheFile(byte[] content) {
    Settings settings;
    try {
      settings = ConfigFile.parse(FILE, content);
    } catch (ConfigException e) {
      assertThat(e.getMessage())
          .startsWith(FILE + ": ")
          .hasSizeLessThanOrEqualTo(1024)
          .doesNotContain("\n");
      return;
    }
    assertThat(settings).isNotNull();
    if (settings.nickname() != null) {
      assertThat(Nickname.problem(settings.nickname())).isEmpty();
    }
    if (settings.port() != null) {
      assertThat(settings.port()).isBetween(0, 65_535);
    }
    if (settings.interfaceName() != null) {
      assertThat(settings.interfaceName()).isNotBlank();
    }
    if (settings.announceIntervalSecs() != null) {
      assertThat(settings.announceIntervalSecs()).isPositive();
    }
    if (settings.timeoutSecs() != null) {
      assertThat(settings.timeoutSecs()).isPositive();
    }
  }
}
