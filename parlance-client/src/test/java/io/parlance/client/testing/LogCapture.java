package io.parlance.client.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Captures what some classes log, at INFO and above, while open. */
public final class LogCapture implements AutoCloseable {

  private final List<Logger> loggers = new ArrayList<>();
  private final List<Level> levels = new ArrayList<>();
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  /**
   * Starts capturing.
   *
   * @param classes the classes whose loggers to capture
   */
  public LogCapture(Class<?>... classes) {
    appender.start();
    for (Class<?> c : classes) {
      Logger logger = (Logger) LoggerFactory.getLogger(c);
      loggers.add(logger);
      levels.add(logger.getLevel());
      logger.setLevel(Level.INFO);
      logger.addAppender(appender);
    }
  }

  /**
   * Returns what was logged so far.
   *
   * @return the events, oldest first
   */
  public List<ILoggingEvent> events() {
    return List.copyOf(appender.list);
  }

  @Override
  public void close() {
    for (int i = 0; i < loggers.size(); i++) {
      loggers.get(i).detachAppender(appender);
      loggers.get(i).setLevel(levels.get(i));
    }
    appender.stop();
  }
}
