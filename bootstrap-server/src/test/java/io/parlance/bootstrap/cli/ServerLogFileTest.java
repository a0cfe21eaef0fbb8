package io.parlance.bootstrap.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import io.parlance.testing.RolledLog;
import java.nio.file.Files;
import java.nio.file.Path;
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

  @Test
  void theLogFileRollsOverIntoTenCompressedFilesBesideItAtItsSizeLosingOnlyTheOldest()
      throws Exception {
    Path file = dir.resolve("bootstrap.log");
    BootstrapServerMain.logToFile(file, "4KB");
    Logger log = LoggerFactory.getLogger(ServerLogFileTest.class);
    RolledLog rolled = new RolledLog(file);

    // ~150 bytes a line: 120 lines are four or five files of 4 KB, all kept
    RolledLog.write(0, 120, i -> log.info("line {} {}", i, "x".repeat(80)));
    assertThat(rolled.archives()).hasSizeBetween(2, 9);
    assertThat(rolled.lineNumbers()).isEqualTo(RolledLog.range(0, 120));

    // 600 more lines are twenty-odd files: the ten newest are kept, with nothing missing in them
    RolledLog.write(120, 720, i -> log.info("line {} {}", i, "x".repeat(80)));
    assertThat(rolled.archives()).hasSize(10);
    var kept = rolled.lineNumbers();
    assertThat(kept).isEqualTo(RolledLog.range(kept.get(0), 720)).hasSizeGreaterThan(250);
    assertThat(kept.get(0)).isPositive();
    assertThat(Files.size(file)).isLessThan(8 * 1024);
  }
}
