package io.parlance.client.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.OutputStreamAppender;
import io.parlance.client.profile.Profile;
import java.nio.file.Path;
import java.util.Locale;
import org.slf4j.LoggerFactory;

/**
 * Sends logs to a file (interactive mode: the terminal is for the chat) or to stderr (JSON mode).
 */
final class Logging {

  private static final String PATTERN =
      "%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level [%thread] %logger{24} - %msg%n";

  private Logging() {}

  static Level parseLevel(String text) {
    String t = text.trim().toUpperCase(Locale.ROOT);
    return switch (t) {
      case "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF" -> Level.toLevel(t);
      default ->
          throw new IllegalArgumentException(
              "'" + text + "' is not a log level; use trace, debug, info, warn, error or off");
    };
  }

  /**
   * The default log file of a profile: {@code parlance.log} in its state directory, so peers on
   * other profiles never share one.
   */
  static Path defaultLogFile(Profile profile) {
    return profile.stateDir().resolve("parlance.log");
  }

  static void toFile(Path file, Level level) {
    FileAppender<ILoggingEvent> appender = new FileAppender<>();
    appender.setFile(file.toString());
    appender.setAppend(true);
    install(appender, level);
  }

  static void toStderr(Level level) {
    ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
    appender.setTarget("System.err");
    install(appender, level);
  }

  private static void install(OutputStreamAppender<ILoggingEvent> appender, Level level) {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    context.reset();
    PatternLayoutEncoder encoder = new PatternLayoutEncoder();
    encoder.setContext(context);
    encoder.setPattern(PATTERN);
    encoder.start();
    appender.setContext(context);
    appender.setName("main");
    appender.setEncoder(encoder);
    appender.start();
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.setLevel(level);
    root.addAppender(appender);
    // Netty is chatty at debug; keep it at info unless asked for trace.
    context
        .getLogger("io.netty")
        .setLevel(level.toInt() < Level.INFO_INT && level != Level.TRACE ? Level.INFO : level);
  }
}
