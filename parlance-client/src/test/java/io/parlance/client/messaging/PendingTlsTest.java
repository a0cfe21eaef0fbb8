package io.parlance.client.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.handler.ssl.SslHandler;
import io.parlance.client.security.Identity;
import io.parlance.client.security.TlsContexts;
import io.parlance.protocol.Protocol;
import io.parlance.protocol.wire.ChatLine;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A node builds its TLS contexts beside its start; connections that come or go before they are
 * built wait for them, and work once they are.
 */
class PendingTlsTest {

  /** Holds the build of a context until the test lets it run. */
  private static final class Gate implements Executor {
    private final List<Runnable> held = new CopyOnWriteArrayList<>();

    @Override
    public void execute(Runnable command) {
      held.add(command);
    }

    void open() {
      held.forEach(Runnable::run);
      held.clear();
    }
  }

  @Test
  void aTlsClientThatComesBeforeTheContextIsBuiltIsReadOnceItIs() {
    Identity server = Identity.generate();
    Gate gate = new Gate();
    PendingTls pending = PendingTls.building(() -> TlsContexts.server(server), gate);
    EmbeddedChannel ch = new EmbeddedChannel(new TlsDetector(pending, true));
    // The start of a TLS ClientHello (a handshake record header and a few bytes of it).
    ByteBuf hello = Unpooled.wrappedBuffer(new byte[] {0x16, 0x03, 0x01, 0x00, 0x40, 0x01});

    ch.writeInbound(hello);

    assertThat(ch.pipeline().get(MessagingPipeline.TLS)).isNull();
    assertThat(ch.pipeline().get(TlsDetector.class)).isNotNull();
    assertThat(ch.config().isAutoRead()).isFalse();
    assertThat(ch.isOpen()).isTrue();

    gate.open();
    ch.runPendingTasks();

    assertThat(ch.pipeline().get(MessagingPipeline.TLS)).isInstanceOf(SslHandler.class);
    assertThat(ch.pipeline().get(TlsDetector.class)).isNull();
    assertThat(ch.config().isAutoRead()).isTrue();
    ch.finishAndReleaseAll();
  }

  @Test
  void aPlainLineIsNotHeldWhileTheContextIsBuilt() {
    Gate gate = new Gate();
    PendingTls pending = PendingTls.building(() -> TlsContexts.server(Identity.generate()), gate);
    EmbeddedChannel ch = new EmbeddedChannel(new TlsDetector(pending, false));

    ch.writeInbound(
        Unpooled.copiedBuffer("{\"from\":\"rust\"}\n", java.nio.charset.StandardCharsets.UTF_8));

    ByteBuf passed = ch.readInbound();
    assertThat(passed).isNotNull();
    passed.release();
    assertThat(ch.pipeline().get(TlsDetector.class)).isNull();
    assertThat(ch.config().isAutoRead()).isTrue();
    ch.finishAndReleaseAll();
  }

  @Test
  void aContextThatCannotBeBuiltSaysSoInWords() {
    Gate gate = new Gate();
    PendingTls pending =
        PendingTls.building(
            () -> {
              throw new IllegalStateException("no key");
            },
            gate);
    gate.open();

    assertThat(pending.isReady()).isTrue();
    org.assertj.core.api.Assertions.assertThatThrownBy(pending::get)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("cannot set up TLS: no key");
  }

  @Test
  void aLineSentBeforeEitherSideBuiltItsContextGoesOverTlsOnceTheyHave() throws Exception {
    EventLoopGroup group = new NioEventLoopGroup(2);
    try {
      Identity bob = Identity.generate();
      Identity alice = Identity.generate();
      Gate serverGate = new Gate();
      Gate clientGate = new Gate();
      List<InboundMessage> received = new CopyOnWriteArrayList<>();
      MessageServer listener =
          new MessageServer(
              new InetSocketAddress("127.0.0.1", 0),
              message -> {
                received.add(message);
                return InboundSink.Outcome.NOTHING.now();
              },
              4,
              Protocol.MAX_LINE_BYTES,
              Integer.MAX_VALUE,
              Duration.ofMinutes(1),
              new PeerTls.Contexts(
                  PendingTls.building(() -> TlsContexts.server(bob), serverGate),
                  PendingTls.of(TlsContexts.client(bob)),
                  true));
      InetSocketAddress at = listener.start(group);
      ConnectionPool pool =
          new ConnectionPool(
              group,
              Duration.ofSeconds(5),
              Duration.ofSeconds(5),
              Duration.ofSeconds(60),
              PendingTls.building(() -> TlsContexts.client(alice), clientGate),
              AckListener.NONE);

      CompletableFuture<Void> sent = pool.send(at, bob.id(), ChatLine.now("alice", "early"));

      // Nothing is dialled while our context is not built.
      assertThat(pool.connectionsOpened()).isZero();
      assertThat(sent).isNotDone();

      clientGate.open();
      await().atMost(20, TimeUnit.SECONDS).until(() -> pool.connectionsOpened() == 1);
      // Bob's side cannot answer the handshake before its context is built.
      assertThat(received).isEmpty();

      serverGate.open();
      sent.get(20, TimeUnit.SECONDS);
      await().atMost(20, TimeUnit.SECONDS).until(() -> received.size() == 1);

      assertThat(received.get(0).line().content()).isEqualTo("early");
      assertThat(received.get(0).provenPeer()).contains(alice.id());
      pool.close(Duration.ofSeconds(1));
      listener.close(Duration.ofSeconds(1));
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }
}
