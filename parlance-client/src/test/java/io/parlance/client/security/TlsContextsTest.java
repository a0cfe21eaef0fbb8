package io.parlance.client.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TlsContextsTest {

  private final EventLoopGroup group = new NioEventLoopGroup(2);

  @AfterEach
  void shutDown() throws Exception {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
  }

  @Test
  void bothSidesProveTheirIdentityKeysOverTls13() throws Exception {
    Identity server = Identity.generate();
    Identity client = Identity.generate();
    Handshake result = handshake(TlsContexts.server(server), TlsContexts.client(client));

    assertThat(result.clientSaw().get(5, TimeUnit.SECONDS)).contains(server.id());
    assertThat(result.serverSaw().get(5, TimeUnit.SECONDS)).contains(client.id());
    assertThat(result.protocol().get(5, TimeUnit.SECONDS)).isEqualTo("TLSv1.3");
  }

  @Test
  void aManInTheMiddleWithAnotherKeyIsDetectedByItsId() throws Exception {
    Identity expected = Identity.generate();
    Identity mallory = Identity.generate();
    Handshake result =
        handshake(TlsContexts.server(mallory), TlsContexts.client(Identity.generate()));
    Optional<PeerId> proven = result.clientSaw().get(5, TimeUnit.SECONDS);
    assertThat(proven).contains(mallory.id());
    assertThat(proven.get()).isNotEqualTo(expected.id());
  }

  private record Handshake(
      CompletableFuture<Optional<PeerId>> clientSaw,
      CompletableFuture<Optional<PeerId>> serverSaw,
      CompletableFuture<String> protocol) {}

  private Handshake handshake(SslContext serverContext, SslContext clientContext) throws Exception {
    CompletableFuture<Optional<PeerId>> serverSaw = new CompletableFuture<>();
    CompletableFuture<Optional<PeerId>> clientSaw = new CompletableFuture<>();
    CompletableFuture<String> protocol = new CompletableFuture<>();
    Channel server =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    SslHandler ssl = serverContext.newHandler(ch.alloc());
                    ch.pipeline().addLast(ssl);
                    ssl.handshakeFuture().addListener(f -> complete(serverSaw, f, ssl));
                  }
                })
            .bind(new InetSocketAddress("127.0.0.1", 0))
            .sync()
            .channel();
    try {
      Channel client =
          new Bootstrap()
              .group(group)
              .channel(NioSocketChannel.class)
              .handler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                      SslHandler ssl = clientContext.newHandler(ch.alloc());
                      ch.pipeline().addLast(ssl);
                      ssl.handshakeFuture()
                          .addListener(
                              f -> {
                                complete(clientSaw, f, ssl);
                                protocol.complete(ssl.engine().getSession().getProtocol());
                              });
                    }
                  })
              .connect(server.localAddress())
              .sync()
              .channel();
      clientSaw.get(5, TimeUnit.SECONDS);
      serverSaw.get(5, TimeUnit.SECONDS);
      client.close().sync();
    } finally {
      server.close().sync();
    }
    return new Handshake(clientSaw, serverSaw, protocol);
  }

  private static void complete(
      CompletableFuture<Optional<PeerId>> target, Future<?> handshake, SslHandler ssl) {
    if (handshake.isSuccess()) {
      target.complete(TlsContexts.peerId(ssl));
    } else {
      target.completeExceptionally(handshake.cause());
    }
  }
}
