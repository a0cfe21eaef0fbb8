package io.parlance.client.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.util.FileSize;
import io.parlance.testing.RolledLog;
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
    new RolledLog(file).checkTheWindow(log::info, Logging.ARCHIVES);
  }
}
