package io.parlance.client.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.util.FileSize;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class LoggingTest {

  @TempDir Path dir;

  @AfterEach
  void restoreTheTestConfiguration() throws Exception {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    context.reset();
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    configurator.doConfigure(LoggingTest.class.getResource("/logback-test.xml"));
  }

  private List<Path> files() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.sorted().toList();
    }
  }

  @Test
  void theLogFileRollsOverIntoCompressedFilesBesideItAtItsSize() throws Exception {
    Path file = dir.resolve("parlance.log");
    Logging.toFile(file, Level.INFO, FileSize.valueOf("4KB"));
    Logger log = LoggerFactory.getLogger(LoggingTest.class);

    for (int i = 0; i < 400; i++) {
      log.info("line {} {}", i, "x".repeat(80));
    }

    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                assertThat(files())
                    .filteredOn(
                        p -> p.getFileName().toString().matches("parlance-.*\\.\\d+\\.log\\.gz"))
                    .hasSizeGreaterThanOrEqualTo(5));
    // The live file holds only what came after the last rollover.
    assertThat(Files.size(file)).isLessThan(8 * 1024);
    assertThat(Files.readString(file)).contains("line 399");
  }
}
