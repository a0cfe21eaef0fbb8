package io.parlance.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.util.FileSize;
import io.parlance.testing.RolledLog;
import java.nio.file.Files;
import java.nio.file.Path;
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

  @Test
  void theLogFileRollsOverIntoTenCompressedFilesBesideItAtItsSizeLosingOnlyTheOldest()
      throws Exception {
    Path file = dir.resolve("parlance.log");
    Logging.toFile(file, Level.INFO, FileSize.valueOf("4KB"));
    Logger log = LoggerFactory.getLogger(LoggingTest.class);
    RolledLog rolled = new RolledLog(file);

    RolledLog.write(0, 120, i -> log.info("line {} {}", i, "x".repeat(80)));
    assertThat(rolled.archives()).hasSizeBetween(2, Logging.ARCHIVES - 1);
    assertThat(rolled.lineNumbers()).isEqualTo(RolledLog.range(0, 120));

    RolledLog.write(120, 720, i -> log.info("line {} {}", i, "x".repeat(80)));
    assertThat(rolled.archives()).hasSize(Logging.ARCHIVES);
    var kept = rolled.lineNumbers();
    assertThat(kept).isEqualTo(RolledLog.range(kept.get(0), 720)).hasSizeGreaterThan(250);
    assertThat(kept.get(0)).isPositive();
    // The live file holds only what came after the last rollover.
    assertThat(Files.size(file)).isLessThan(8 * 1024);
  }
}
