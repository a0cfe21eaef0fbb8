package io.parlance.client.internet;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A WebSocket client that behaves as the Rust Parlance's does on the wire: no dialect header, text
 * frames written as given, and every text frame received queued as it came.
 */
final class RawRustClient implements AutoCloseable {

  private final EventLoopGroup group =
      new NioEventLoopGroup(1, new DefaultThreadFactory("raw-rust-client", true));
  private final LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
  private final CompletableFuture<Void> handshake = new CompletableFuture<>();
  private final Channel channel;

  RawRustClient(String url) throws Exception {
    URI uri = URI.create(url + "/");
    channel =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline()
                        .addLast(new HttpClientCodec())
                        .addLast(new HttpObjectAggregator(64 * 1024))
                        .addLast(
                            new WebSocketClientProtocolHandler(
                                WebSocketClientProtocolConfig.newBuilder()
                                    .webSocketUri(uri)
                                    .maxFramePayloadLength(1 << 20)
                                    .build()))
                        .addLast(
                            new SimpleChannelInboundHandler<TextWebSocketFrame>() {
                              @Override
                              public void userEventTriggered(ChannelHandlerContext ctx, Object e)
                                  throws Exception {
                                if (e
                                    == WebSocketClientProtocolHandler.ClientHandshakeStateEvent
                                        .HANDSHAKE_COMPLETE) {
                                  handshake.complete(null);
                                }
                                super.userEventTriggered(ctx, e);
                              }

                              @Override
                              protected void channelRead0(
                                  ChannelHandlerContext ctx, TextWebSocketFrame frame) {
                                received.add(frame.text());
                              }
                            });
                  }
                })
            .connect(uri.getHost(), uri.getPort())
            .sync()
            .channel();
    handshake.get(10, TimeUnit.SECONDS);
  }

  void send(String json) {
    channel.writeAndFlush(new TextWebSocketFrame(json));
  }

  /** The next text frame, waiting up to 10 s. */
  String next() throws InterruptedException, TimeoutException {
    String text = received.poll(10, TimeUnit.SECONDS);
    if (text == null) {
      throw new TimeoutException("nothing from the server within 10 s");
    }
    return text;
  }

  @Override
  public void close() {
    channel.close().awaitUninterruptibly(5_000);
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5_000);
  }
}
