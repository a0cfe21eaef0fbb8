package io.parlance.bootstrap.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
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

class ServerLogFileTest {

  @TempDir Path dir;

  @AfterEach
  void restoreTheDefaultConfiguration() throws Exception {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    context.reset();
    new ContextInitializer(context).autoConfig();
  }

  private List<String> files() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void theLogFileRollsOverIntoCompressedFilesBesideItAtItsSize() throws Exception {
    Path file = dir.resolve("bootstrap.log");
    BootstrapServerMain.logToFile(file, "4KB");
    Logger log = LoggerFactory.getLogger(ServerLogFileTest.class);

    for (int i = 0; i < 400; i++) {
      log.info("line {} {}", i, "x".repeat(80));
    }

    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                assertThat(files())
                    .filteredOn(
                        n -> n.matches("bootstrap\\.log\\.\\d{4}-\\d\\d-\\d\\d\\.\\d+\\.gz"))
                    .hasSizeGreaterThanOrEqualTo(5));
    assertThat(Files.size(file)).isLessThan(8 * 1024);
    assertThat(Files.readString(file)).contains("line 399");
  }
}
