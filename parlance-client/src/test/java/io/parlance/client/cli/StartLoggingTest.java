package io.parlance.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator.ExecutionStatus;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class StartLoggingTest {

  @Test
  void logbackFindsItAsAService() {
    assertThat(ServiceLoader.load(ch.qos.logback.classic.spi.Configurator.class).stream())
        .anySatisfy(p -> assertThat(p.type()).isEqualTo(StartLogging.class));
  }

  @Test
  void warningsAndErrorsGoToStderrUntilTheCommandLineSetsUpLogging() {
    LoggerContext context = new LoggerContext();
    StartLogging.configureInCode(context);
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    assertThat(root.getLevel()).isEqualTo(Level.WARN);
    assertThat(root.getAppender("STDERR"))
        .isInstanceOfSatisfying(
            ConsoleAppender.class,
            appender -> {
              assertThat(appender.isStarted()).isTrue();
              assertThat(appender.getTarget()).isEqualTo("System.err");
              assertThat(((LayoutWrappingEncoder<?>) appender.getEncoder()).getLayout())
                  .isInstanceOf(LogLine.class)
                  .matches(layout -> layout.isStarted());
            });
    context.stop();
  }

  @Test
  void aConfigurationFileOnTheClassPathIsLeftToLogback() {
    // The tests' logback-test.xml is on the class path: logback reads it as it always did.
    LoggerContext context = new LoggerContext();
    StartLogging configurator = new StartLogging();
    configurator.setContext(context);
    assertThat(configurator.configure(context)).isEqualTo(ExecutionStatus.INVOKE_NEXT_IF_ANY);
    assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDERR")).isNull();
    context.stop();
  }
}
