package io.parlance.bootstrap.cli;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import io.parlance.testing.RolledLog;
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
    new RolledLog(file).checkTheWindow(log::info, 10);
  }
}
