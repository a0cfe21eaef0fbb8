package io.parlance.client.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.rolling.FixedWindowRollingPolicy;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeBasedTriggeringPolicy;
import ch.qos.logback.core.util.Duration;
import ch.qos.logback.core.util.FileSize;
import io.parlance.client.profile.Profile;
import java.nio.file.Path;
import java.util.Locale;
import org.slf4j.LoggerFactory;

/**
 * Sends logs to a file (interactive mode: the terminal is for the chat) or to stderr (JSON mode).
 */
final class Logging {

  /** The pattern of the lines, which {@link #layout} lays out in code. */
  static final String PATTERN =
      "%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level [%thread] %logger{24} - %msg%n";

  /** A layout of {@link #PATTERN}. */
  static LogLine layout() {
    return new LogLine("yyyy-MM-dd HH:mm:ss.SSS", true, 24);
  }

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

  /** Size at which the log file is rolled over. */
  static final FileSize MAX_FILE_SIZE = FileSize.valueOf("10MB");

  /** Rolled-over files kept beside the log file; the oldest goes first. */
  static final int ARCHIVES = 10;

  /**
   * Logs to a file that is rolled over at {@link #MAX_FILE_SIZE} into gzipped files beside it,
   * {@code parlance.log.1.gz} the newest to {@code parlance.log.10.gz}; so no flood of log lines
   * can fill the disk. (A fixed window, not logback's SizeAndTimeBasedRollingPolicy: its background
   * clean-up now and then deleted the day's first archives.)
   */
  static void toFile(Path file, Level level) {
    toFile(file, level, MAX_FILE_SIZE);
  }

  /** As {@link #toFile(Path, Level)}, rolling at the given size. */
  static void toFile(Path file, Level level, FileSize maxFileSize) {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    context.reset();
    RollingFileAppender<ILoggingEvent> appender = new RollingFileAppender<>();
    appender.setContext(context);
    appender.setFile(file.toString());
    appender.setAppend(true);
    FixedWindowRollingPolicy policy = new FixedWindowRollingPolicy();
    policy.setContext(context);
    policy.setParent(appender);
    policy.setFileNamePattern(file + ".%i.gz");
    policy.setMinIndex(1);
    policy.setMaxIndex(ARCHIVES);
    policy.start();
    SizeBasedTriggeringPolicy<ILoggingEvent> trigger = new SizeBasedTriggeringPolicy<>();
    trigger.setContext(context);
    trigger.setMaxFileSize(maxFileSize);
    // logback's default is to look at the size once a minute
    trigger.setCheckIncrement(Duration.buildByMilliseconds(50));
    trigger.start();
    appender.setRollingPolicy(policy);
    appender.setTriggeringPolicy(trigger);
    install(appender, level, context);
  }

  static void toStderr(Level level) {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    context.reset();
    ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
    appender.setTarget("System.err");
    install(appender, level, context);
  }

  private static void install(
      OutputStreamAppender<ILoggingEvent> appender, Level level, LoggerContext context) {
    LayoutWrappingEncoder<ILoggingEvent> encoder = layout().encoder(context);
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
