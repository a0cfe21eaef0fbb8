package io.parlance.client.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The peer's halves of a hole punch on loopback: reading the server's mapping answer (and refusing
 * hostile ones), fetching a mapping from a fresh reusable port, and the connect loop from a fixed
 * local port, which keeps trying until the other side is there and gives up in bounded time.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class HolePunchTest {

  /** A pipeline with nothing in it, shared by every attempt (as the real initializers are). */
  private static final ChannelInitializer<Channel> NOTHING =
      new ChannelInitializer<>() {
        @Override
        protected void initChannel(Channel ch) {}
      };

  private final EventLoopGroup group = new NioEventLoopGroup(1);

  @AfterEach
  void stop() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  @Test
  void theServersAnswerGivesTheMapping() throws Exception {
    assertThat(
            HolePunch.parseAnswer(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\r\n"
                    + "{\"address\":\"198.19.0.1:40001\"}"))
        .isEqualTo(new InetSocketAddress(InetAddress.getByName("198.19.0.1"), 40001));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "HTTP/1.1 404 Not Found\r\n\r\n{\"error\":\"no hole punch with that token\"}",
        "HTTP/1.1 200 OK\r\n\r\n{\"address\":\"evil.example.org:80\"}",
        "HTTP/1.1 200 OK\r\n\r\n{\"address\":\"198.19.0.1:0\"}",
        "HTTP/1.1 200 OK\r\n\r\n{\"address\":\"198.19.0.1\"}",
        "HTTP/1.1 200 OK\r\n\r\n{\"address\":12}",
        "HTTP/1.1 200 OK\r\n\r\n[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
        "HTTP/1.1 200 OK\r\n\r\n{\"address\":\"198.19.0.1:4000",
        "HTTP/1.1 200 OK\r\ncontent-length: 10",
        "\u001b[2J\u001b]0;owned\u0007 200 \r\n\r\n{\"address\":\"198.19.0.1:1\"}",
      })
  void aHostileOrRefusingAnswerIsAnErrorWithoutItsControlCharacters(String answer) {
    assertThatThrownBy(() -> HolePunch.parseAnswer(answer))
        .isInstanceOf(IOException.class)
        .satisfies(
            e -> assertThat(e.getMessage()).doesNotContain("\u001b").doesNotContain("\u0007"));
  }

  @Test
  void aMappingIsFetchedFromAFreshPortWhichCanBeBoundAgainAfterwards() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
      AtomicReference<String> request = new AtomicReference<>();
      Thread answering =
          new Thread(
              () -> {
                try (Socket s = server.accept()) {
                  InputStream in = s.getInputStream();
                  byte[] head = new byte[512];
                  int n = in.read(head);
                  request.set(new String(head, 0, n, StandardCharsets.US_ASCII));
                  OutputStream out = s.getOutputStream();
                  String seen = "127.0.0.1:" + s.getPort();
                  out.write(
                      ("HTTP/1.1 200 OK\r\nconnection: close\r\n\r\n{\"address\":\"" + seen + "\"}")
                          .getBytes(StandardCharsets.US_ASCII));
                } catch (IOException e) {
                  request.set("failed: " + e);
                }
              });
      answering.start();
      URI uri = URI.create("ws://127.0.0.1:" + server.getLocalPort() + "/parlance/");
      HolePunch.Mapping mapping =
          HolePunch.fetchMapping(uri, "T".repeat(24), Duration.ofSeconds(5))
              .get(10, TimeUnit.SECONDS);
      answering.join(5000);

      assertThat(request.get())
          .startsWith("GET /parlance/punch?token=" + "T".repeat(24) + " HTTP/1.1");
      assertThat(mapping.external().getPort()).isEqualTo(mapping.localPort());
      try (Socket again = new Socket()) {
        again.setReuseAddress(true);
        again.bind(new InetSocketAddress(mapping.localPort()));
        assertThat(again.getLocalPort()).isEqualTo(mapping.localPort());
      }
    }
  }

  @Test
  void aTlsServerIsNotUsedForMappings() {
    CompletableFuture<HolePunch.Mapping> f =
        HolePunch.fetchMapping(
            URI.create("wss://127.0.0.1:1/"), "T".repeat(24), Duration.ofSeconds(1));
    assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasMessageContaining("needs a ws:// server");
  }

  @Test
  void theConnectLoopKeepsTryingFromItsPortUntilTheOtherSideIsThere() throws Exception {
    int remotePort;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      remotePort = probe.getLocalPort();
    }
    int localPort;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      localPort = probe.getLocalPort();
    }
    InetSocketAddress remote = new InetSocketAddress(InetAddress.getLoopbackAddress(), remotePort);
    CompletableFuture<Channel> connected =
        HolePunch.connect(group, localPort, remote, Duration.ofSeconds(20), NOTHING);
    // refused a few times first: nothing is there yet
    Thread.sleep(400);
    assertThat(connected).isNotDone();
    try (ServerSocket other = new ServerSocket()) {
      other.setReuseAddress(true);
      other.bind(remote);
      Channel ch = connected.get(10, TimeUnit.SECONDS);
      try (Socket accepted = other.accept()) {
        assertThat(accepted.getPort()).isEqualTo(localPort);
        assertThat(((InetSocketAddress) ch.localAddress()).getPort()).isEqualTo(localPort);
      } finally {
        ch.close().syncUninterruptibly();
      }
    }
  }

  @Test
  void theConnectLoopGivesUpOnceItsTimeIsUpSayingWhereAndHowOftenItTried() throws Exception {
    int remotePort;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      remotePort = probe.getLocalPort();
    }
    CompletableFuture<Channel> connected =
        HolePunch.connect(
            group,
            0,
            new InetSocketAddress(InetAddress.getLoopbackAddress(), remotePort),
            Duration.ofMillis(600),
            NOTHING);
    assertThatThrownBy(() -> connected.get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasMessageContaining("no connection to 127.0.0.1:" + remotePort)
        .hasMessageMatching("(?s).*after [0-9]+ attempts.*");
  }
}
