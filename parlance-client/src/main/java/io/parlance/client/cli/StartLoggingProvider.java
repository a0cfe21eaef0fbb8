package io.parlance.client.cli;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.joran.spi.JoranException;
import ch.qos.logback.core.status.StatusUtil;
import ch.qos.logback.core.util.StatusPrinter2;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * Logback as SLF4J's provider, made as logback's own {@code LogbackServiceProvider} makes it, but
 * set up by {@link StartLogging#configureInCode} directly instead of through logback's {@code
 * ContextInitializer}: that one looks for configurators and files and reports what it did and how
 * long it took, which cost every start of {@code parlance} about 30 ms of CPU before a chat is
 * ready (docs/PERFORMANCE.md). {@link Main} names it in the {@code slf4j.provider} property; a
 * configuration file given with {@code -Dlogback.configurationFile}, or a {@code logback-test.xml}
 * on the class path, is still read by logback's {@code ContextInitializer}, as logback always does.
 */
public final class StartLoggingProvider implements SLF4JServiceProvider {

  /** The SLF4J API version this provider is made for: logback's own. */
  private static final String API_VERSION = "2.0.99";

  private LoggerContext context;
  private IMarkerFactory markers;
  private MDCAdapter mdc;

  /** SLF4J makes it from the class name in {@code slf4j.provider}. */
  public StartLoggingProvider() {}

  @Override
  public void initialize() {
    LoggerContext made = new LoggerContext();
    made.setName(CoreConstants.DEFAULT_CONTEXT_NAME);
    if (StartLogging.leftToLogback()) {
      try {
        new ContextInitializer(made).autoConfig();
      } catch (JoranException e) {
        // reported below, with the context's other errors
      }
      if (!StatusUtil.contextHasStatusListener(made)) {
        new StatusPrinter2().printInCaseOfErrorsOrWarnings(made);
      }
    } else {
      StartLogging.configureInCode(made);
    }
    made.start();
    markers = new BasicMarkerFactory();
    mdc = new LogbackMDCAdapter();
    made.setMDCAdapter(mdc);
    context = made;
  }

  @Override
  public ILoggerFactory getLoggerFactory() {
    return context;
  }

  @Override
  public IMarkerFactory getMarkerFactory() {
    return markers;
  }

  @Override
  public MDCAdapter getMDCAdapter() {
    return mdc;
  }

  @Override
  public String getRequestedApiVersion() {
    return API_VERSION;
  }
}
