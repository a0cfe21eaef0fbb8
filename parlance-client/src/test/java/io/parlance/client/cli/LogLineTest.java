package io.parlance.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@link LogLine} lays lines out exactly as logback's PatternLayout does with its pattern. */
class LogLineTest {

  private final LoggerContext context = new LoggerContext();

  @AfterEach
  void stop() {
    context.stop();
  }

  private PatternLayout pattern(String pattern) {
    PatternLayout layout = new PatternLayout();
    layout.setContext(context);
    layout.setPattern(pattern);
    layout.start();
    return layout;
  }

  private LogLine started(LogLine layout) {
    layout.setContext(context);
    layout.start();
    return layout;
  }

  private static Throwable nested() {
    try {
      try {
        throw new IOException("the disk is full");
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write the store", e);
      }
    } catch (UncheckedIOException e) {
      return e;
    }
  }

  private List<ILoggingEvent> events() {
    Logger shortName = context.getLogger("x");
    Logger longName = context.getLogger("io.parlance.client.discovery.DiscoveryServer");
    Logger veryLong =
        context.getLogger("io.netty.handler.ssl.util.SelfSignedCertificateGeneratorFactory$Inner");
    return List.<ILoggingEvent>of(
        new LoggingEvent("f", shortName, Level.INFO, "plain", null, null),
        new LoggingEvent("f", longName, Level.WARN, "peer {} at {}", null, new Object[] {"bob", 7}),
        new LoggingEvent("f", veryLong, Level.DEBUG, "{} left", null, new Object[] {null}),
        new LoggingEvent("f", longName, Level.ERROR, "failed", nested(), null),
        new LoggingEvent("f", shortName, Level.TRACE, "", null, null));
  }

  /** Every event laid out by the layout as by a PatternLayout of the pattern. */
  private void assertSameLines(String pattern, LogLine layout) {
    PatternLayout expected = pattern(pattern);
    LogLine actual = started(layout);
    for (ILoggingEvent event : events()) {
      assertThat(actual.doLayout(event)).isEqualTo(expected.doLayout(event));
    }
  }

  @Test
  void theFileLineIsThePatternsLine() {
    assertSameLines(Logging.PATTERN, Logging.layout());
  }

  @Test
  void theStartLineIsThePatternsLine() {
    assertSameLines(StartLogging.PATTERN, StartLogging.layout());
  }

  @Test
  void aThrowableFollowsItsLineWithItsCauses() {
    ILoggingEvent failed = events().get(3);
    String line = started(Logging.layout()).doLayout(failed);
    assertThat(line)
        .contains("ERROR [main] i.p.c.d.DiscoveryServer - failed")
        .contains("java.io.UncheckedIOException: cannot write the store")
        .contains("Caused by: java.io.IOException: the disk is full")
        .endsWith(System.lineSeparator());
  }
}
