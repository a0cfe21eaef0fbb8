package io.parlance.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import org.junit.jupiter.api.Test;
import org.slf4j.helpers.BasicMarkerFactory;

class StartLoggingProviderTest {

  @Test
  void itMakesAStartedLogbackContextWithItsMdcAndMarkers() {
    StartLoggingProvider provider = new StartLoggingProvider();
    provider.initialize();
    assertThat(provider.getLoggerFactory())
        .isInstanceOfSatisfying(
            LoggerContext.class,
            context -> {
              assertThat(context.isStarted()).isTrue();
              assertThat(context.getName()).isEqualTo("default");
              assertThat(context.getMDCAdapter()).isSameAs(provider.getMDCAdapter());
              context.stop();
            });
    assertThat(provider.getMarkerFactory()).isInstanceOf(BasicMarkerFactory.class);
    assertThat(provider.getRequestedApiVersion()).startsWith("2.0.");
  }

  @Test
  void aConfigurationFileOnTheClassPathIsReadAsLogbackReadsIt() {
    // The tests' logback-test.xml is on the class path: its STDERR appender and levels are used.
    assertThat(StartLogging.leftToLogback()).isTrue();
    StartLoggingProvider provider = new StartLoggingProvider();
    provider.initialize();
    LoggerContext context = (LoggerContext) provider.getLoggerFactory();
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    assertThat(root.getLevel()).isEqualTo(Level.WARN);
    assertThat(root.getAppender("STDERR")).isNotNull();
    assertThat(context.getLogger("io.netty").getLevel()).isEqualTo(Level.WARN);
    context.stop();
  }

  @Test
  void mainNamesItAsTheProviderUnlessOneIsNamed() {
    String provider = System.getProperty("slf4j.provider");
    String verbosity = System.getProperty("slf4j.internal.verbosity");
    try {
      System.clearProperty("slf4j.provider");
      System.clearProperty("slf4j.internal.verbosity");
      Main.useStartLogging();
      assertThat(System.getProperty("slf4j.provider"))
          .isEqualTo(StartLoggingProvider.class.getName());
      assertThat(System.getProperty("slf4j.internal.verbosity")).isEqualTo("WARN");
      System.setProperty("slf4j.provider", "some.other.Provider");
      System.clearProperty("slf4j.internal.verbosity");
      Main.useStartLogging();
      assertThat(System.getProperty("slf4j.provider")).isEqualTo("some.other.Provider");
      assertThat(System.getProperty("slf4j.internal.verbosity")).isNull();
    } finally {
      restore("slf4j.provider", provider);
      restore("slf4j.internal.verbosity", verbosity);
    }
  }

  private static void restore(String key, String value) {
    if (value == null) {
      System.clearProperty(key);
    } else {
      System.setProperty(key, value);
    }
  }
}
