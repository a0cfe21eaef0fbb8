package io.parlance.client.cli;

import ch.qos.logback.classic.pattern.TargetLengthBasedClassNameAbbreviator;
import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Context;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.util.CachingDateFormatter;

/**
 * The log line, laid out in code from logback's own parts: what the pattern {@code %d{DATE}
 * %-5level [%thread] %logger{N} - %msg%n} gives (without {@code [%thread]} if asked), followed by
 * the stack trace of a throwable, as logback's {@code PatternLayout} adds it. {@code PatternLayout}
 * itself is not used: making the first one (its converter table, the pattern's parser) cost every
 * start about 40 ms of CPU before a chat is ready (docs/PERFORMANCE.md). {@code LogLineTest} checks
 * the lines are the pattern's, character for character.
 */
final class LogLine extends LayoutBase<ILoggingEvent> {

  private static final int LEVEL_WIDTH = 5;

  private final CachingDateFormatter date;
  private final boolean thread;
  private final TargetLengthBasedClassNameAbbreviator logger;
  private final ThrowableProxyConverter throwable = new ThrowableProxyConverter();

  /**
   * A layout.
   *
   * @param datePattern the {@code %d} pattern (java.time's), in the system's time zone
   * @param thread whether the line names the thread
   * @param loggerLength the {@code %logger} length its name is abbreviated to
   */
  LogLine(String datePattern, boolean thread, int loggerLength) {
    this.date = new CachingDateFormatter(datePattern);
    this.thread = thread;
    this.logger = new TargetLengthBasedClassNameAbbreviator(loggerLength);
  }

  /**
   * Starts this layout in the context and wraps it in a started encoder, for an appender.
   *
   * @param context the logger context
   * @return the encoder
   */
  LayoutWrappingEncoder<ILoggingEvent> encoder(Context context) {
    setContext(context);
    start();
    LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
    encoder.setContext(context);
    encoder.setLayout(this);
    encoder.start();
    return encoder;
  }

  @Override
  public void start() {
    throwable.setContext(getContext());
    throwable.start();
    super.start();
  }

  @Override
  public void stop() {
    throwable.stop();
    super.stop();
  }

  @Override
  public String doLayout(ILoggingEvent event) {
    StringBuilder line = new StringBuilder(128);
    line.append(date.format(event.getTimeStamp())).append(' ');
    String level = event.getLevel().toString();
    line.append(level);
    for (int i = level.length(); i < LEVEL_WIDTH; i++) {
      line.append(' ');
    }
    line.append(' ');
    if (thread) {
      line.append('[').append(event.getThreadName()).append("] ");
    }
    line.append(logger.abbreviate(event.getLoggerName()))
        .append(" - ")
        .append(event.getFormattedMessage())
        .append(CoreConstants.LINE_SEPARATOR)
        .append(throwable.convert(event));
    return line.toString();
  }
}
