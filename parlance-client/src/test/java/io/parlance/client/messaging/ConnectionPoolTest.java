package io.parlance.client.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.parlance.client.security.Identity;
import io.parlance.client.security.TlsContexts;
import io.parlance.protocol.Protocol;
import io.parlance.protocol.wire.ChatLine;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ConnectionPoolTest {

  private static final InetSocketAddress PEER = new InetSocketAddress("127.0.0.1", 4000);

  @Test
  void explainsRefusedAndTimedOutConnectsInWords() {
    DeliveryException refused =
        ConnectionPool.translate(PEER, new ConnectException("Connection refused"));
    DeliveryException timedOut =
        ConnectionPool.translate(PEER, new ConnectTimeoutException("connection timed out"));

    assertThat(refused.reason()).isEqualTo(DeliveryException.Reason.REFUSED);
    assertThat(refused)
        .hasMessage("connection refused by 127.0.0.1:4000 (the peer is not listening)");
    assertThat(timedOut.reason()).isEqualTo(DeliveryException.Reason.TIMED_OUT);
    assertThat(timedOut).hasMessage("connecting to 127.0.0.1:4000 timed out");
  }

  /**
   * Sends made while a fresh plain connection is still being set up once turned it into a TLS
   * connection with no id to check (asking a channel for its expected id created the attribute the
   * pipeline looks for), so a plain peer got a TLS handshake and every line failed.
   */
  @Test
  void sendsRacingAFreshPlainConnectionStayPlain() throws Exception {
    EventLoopGroup group = new NioEventLoopGroup(2);
    try {
      Identity server = Identity.generate();
      AtomicInteger plain = new AtomicInteger();
      AtomicInteger encrypted = new AtomicInteger();
      MessageServer listener =
          new MessageServer(
              new InetSocketAddress("127.0.0.1", 0),
              message -> {
                (message.provenPeer().isPresent() ? encrypted : plain).incrementAndGet();
                return InboundSink.Outcome.NOTHING.now();
              },
              4,
              Protocol.MAX_LINE_BYTES,
              Integer.MAX_VALUE,
              Duration.ofMinutes(1),
              new PeerTls.Contexts(TlsContexts.server(server), TlsContexts.client(server), false));
      InetSocketAddress at = listener.start(group);
      ConnectionPool pool =
          new ConnectionPool(
              group,
              Duration.ofSeconds(5),
              Duration.ofSeconds(5),
              Duration.ofSeconds(60),
              TlsContexts.client(Identity.generate()),
              AckListener.NONE);
      List<CompletableFuture<Void>> sends = new ArrayList<>();
      for (int i = 0; i < 2_000; i++) {
        sends.add(pool.send(at, null, ChatLine.now("racer", "line " + i)));
      }
      CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (plain.get() < 2_000 && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }

      assertThat(plain.get()).isEqualTo(2_000);
      assertThat(encrypted.get()).isZero();
      assertThat(pool.connectionsOpened()).isEqualTo(1);
      pool.close(Duration.ofSeconds(1));
      listener.close(Duration.ofSeconds(1));
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }
}
