package io.parlance.client.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslContext;
import io.parlance.client.security.Identity;
import io.parlance.client.security.TlsContexts;
import io.parlance.client.testing.LogCapture;
import io.parlance.protocol.LogLimiter;
import io.parlance.protocol.codec.ChatLineDecoder;
import io.parlance.protocol.codec.LineFrameDecoder;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Garbage on the listener is refused with a few short log lines, however much of it comes. */
class HostileInputLoggingTest {

  private static final SslContext SERVER = TlsContexts.server(Identity.generate());

  private static EmbeddedChannel connection() {
    return new EmbeddedChannel(
        new TlsDetector(SERVER, false),
        new LineFrameDecoder(1024),
        ChatLineDecoder.INSTANCE,
        new InboundMessageHandler(message -> InboundSink.Outcome.NOTHING.now()));
  }

  @Test
  void aTlsRecordHeaderFollowedByRandomBytesLogsOneShortLineWithoutAStackTraceAndIsRateLimited() {
    Random random = new Random(22);
    try (LogCapture log = new LogCapture(InboundMessageHandler.class)) {
      for (int i = 0; i < 100; i++) {
        byte[] hostile = new byte[64];
        random.nextBytes(hostile);
        hostile[0] = 0x16;
        // Not a TLS (nor SSLv2) version, so the record is refused at once rather than awaited.
        hostile[1] = 0x7f;
        hostile[4] = 0x7f;
        EmbeddedChannel channel = connection();
        channel.writeInbound(Unpooled.wrappedBuffer(hostile));
        channel.runPendingTasks();
        assertThat(channel.isOpen()).as("connection %d", i).isFalse();
        channel.finishAndReleaseAll();
      }

      assertThat(log.events()).hasSizeLessThanOrEqualTo(LogLimiter.DEFAULT_BURST + 1);
      for (ILoggingEvent e : log.events()) {
        assertThat(e.getThrowableProxy()).isNull();
        assertThat(e.getFormattedMessage())
            .hasSizeLessThan(400)
            .doesNotContain("\n")
            .doesNotContainPattern("[0-9a-fA-F]{24}");
      }
    }
  }

  @Test
  void manyMalformedLinesFromManyConnectionsLogABoundedNumberOfLines() {
    try (LogCapture log = new LogCapture(InboundMessageHandler.class)) {
      for (int i = 0; i < 200; i++) {
        EmbeddedChannel channel = connection();
        channel.writeInbound(
            Unpooled.copiedBuffer(
                "{\"from\":\"x\u001b[2K\",\"content\":" + i + "}\n",
                java.nio.charset.StandardCharsets.UTF_8));
        assertThat(channel.isOpen()).isFalse();
        channel.finishAndReleaseAll();
      }

      assertThat(log.events()).hasSizeLessThanOrEqualTo(LogLimiter.DEFAULT_BURST + 1);
      assertThat(log.events())
          .allSatisfy(e -> assertThat(e.getFormattedMessage()).doesNotContain("\u001b"));
    }
  }
}
