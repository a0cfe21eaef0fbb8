package io.parlance.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Issue 22: a client that can provoke an unexpected error on the server gets one rate-limited,
 * one-line warning per kind, never a stack trace per connection nor its own text raw in the log.
 */
class UnexpectedErrorLoggingTest {

  private final ServerState state = new ServerState(BootstrapServerConfig.builder().build());
  private final Logger logger = (Logger) LoggerFactory.getLogger(RegistryHandler.class);
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  @AfterEach
  void close() {
    logger.detachAppender(appender);
    state.metrics.close();
  }

  @Test
  void aFloodOfUnexpectedErrorsLogsABoundedNumberOfOneLineWarnings() {
    appender.start();
    logger.addAppender(appender);
    Level before = logger.getLevel();
    logger.setLevel(Level.INFO);
    try {
      for (int i = 0; i < 500; i++) {
        EmbeddedChannel ch = new EmbeddedChannel(new RegistryHandler(state));
        ch.attr(ServerState.CLIENT_IP).set(InetAddress.getLoopbackAddress());
        ch.pipeline()
            .fireExceptionCaught(
                new IllegalStateException("boom\n\u001b[2K[12:00:00] forged log line " + i));
        assertThat(ch.isOpen()).isFalse();
        ch.finishAndReleaseAll();
      }
    } finally {
      logger.setLevel(before);
    }
    List<ILoggingEvent> warnings =
        appender.list.stream().filter(e -> e.getLevel() == Level.WARN).toList();
    assertThat(warnings).isNotEmpty().hasSizeLessThanOrEqualTo(20);
    assertThat(warnings)
        .allSatisfy(
            e -> {
              assertThat(e.getThrowableProxy()).isNull();
              assertThat(e.getFormattedMessage())
                  .doesNotContain("\n", "\u001b")
                  .contains("IllegalStateException: boom?");
            });
  }
}
