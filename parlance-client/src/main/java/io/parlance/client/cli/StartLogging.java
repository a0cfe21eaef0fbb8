package io.parlance.client.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * Logback's set-up until the command line sets up logging ({@link Logging}): warnings and errors to
 * stderr. Done in code (by {@link StartLoggingProvider} in {@code parlance}, and found by logback
 * through {@code META-INF/services} where logback sets itself up), instead of from a {@code
 * logback.xml}: reading XML is a cost at every start (the XML parser and logback's configuration
 * model), before a chat is ready. A configuration file given with {@code
 * -Dlogback.configurationFile}, or a {@code logback-test.xml} on the class path (the tests'), is
 * still read as logback always does.
 */
public final class StartLogging extends ContextAwareBase implements Configurator {

  /** The pattern of its lines, which {@link #layout} lays out in code. */
  static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level %logger{20} - %msg%n";

  /** A layout of {@link #PATTERN}. */
  static LogLine layout() {
    return new LogLine("HH:mm:ss.SSS", false, 20);
  }

  /** Logback makes it through {@link java.util.ServiceLoader}. */
  public StartLogging() {}

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    if (leftToLogback()) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    configureInCode(context);
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }

  /**
   * Whether a configuration file is given ({@code -Dlogback.configurationFile}) or on the class
   * path ({@code logback-test.xml}, the tests'): logback then reads it as it always does.
   */
  static boolean leftToLogback() {
    return System.getProperty("logback.configurationFile") != null
        || StartLogging.class.getClassLoader().getResource("logback-test.xml") != null;
  }

  /** What {@code logback.xml} said: the root logger at WARN, to stderr. */
  static void configureInCode(LoggerContext context) {
    LayoutWrappingEncoder<ILoggingEvent> encoder = layout().encoder(context);
    ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
    stderr.setContext(context);
    stderr.setName("STDERR");
    stderr.setTarget("System.err");
    stderr.setEncoder(encoder);
    stderr.start();
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.WARN);
    root.addAppender(stderr);
  }
}
