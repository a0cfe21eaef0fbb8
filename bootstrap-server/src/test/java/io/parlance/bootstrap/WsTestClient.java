package io.parlance.bootstrap;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.parlance.protocol.bootstrap.BootstrapCodec;
import io.parlance.protocol.bootstrap.BootstrapFrame;
import io.parlance.protocol.bootstrap.BootstrapProtocol;
import io.parlance.protocol.bootstrap.ClientFrame;
import io.parlance.protocol.bootstrap.ServerFrame;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A bare WebSocket client for tests: sends raw text or frames, queues what the server sends. */
final class WsTestClient implements AutoCloseable {

  /**
   * The clients' event loops, shared by every test class in the JVM; daemon threads, so it is never
   * shut down (a class that shut it down would break the classes run after it).
   */
  static final EventLoopGroup GROUP =
      new NioEventLoopGroup(2, new DefaultThreadFactory("ws-test-client", true));

  private final LinkedBlockingQueue<BootstrapFrame> frames = new LinkedBlockingQueue<>();
  private final LinkedBlockingQueue<byte[]> binaries = new LinkedBlockingQueue<>();
  private final java.util.concurrent.atomic.AtomicLong binaryBytes =
      new java.util.concurrent.atomic.AtomicLong();
  volatile boolean keepBinary = true;
  final CompletableFuture<Void> handshake = new CompletableFuture<>();
  final CompletableFuture<Integer> closeFrame = new CompletableFuture<>();
  private Channel channel;
  private int receiveBuffer;
  private boolean rust;

  static WsTestClient connect(URI uri) throws Exception {
    return connect(uri, null, null);
  }

  static WsTestClient connect(URI uri, SocketAddress source, SslContext ssl) throws Exception {
    return connect(uri, source, ssl, 0);
  }

  /** Connects with a fixed, small socket receive buffer when {@code receiveBuffer} is positive. */
  static WsTestClient connect(URI uri, SocketAddress source, SslContext ssl, int receiveBuffer)
      throws Exception {
    WsTestClient client = new WsTestClient();
    client.receiveBuffer = receiveBuffer;
    client.start(uri, source, ssl);
    client.handshake.get(10, TimeUnit.SECONDS);
    return client;
  }

  /**
   * Connects as a Rust Parlance client does: no dialect header, so the server waits for the first
   * frame.
   */
  static WsTestClient connectRust(URI uri) throws Exception {
    WsTestClient client = new WsTestClient();
    client.rust = true;
    client.start(uri, null, null);
    client.handshake.get(10, TimeUnit.SECONDS);
    return client;
  }

  /** Connects without waiting for the handshake; see {@link #handshake}. */
  static WsTestClient open(URI uri, SocketAddress source) {
    WsTestClient client = new WsTestClient();
    client.start(uri, source, null);
    return client;
  }

  private void start(URI uri, SocketAddress source, SslContext ssl) {
    WebSocketClientProtocolConfig config =
        WebSocketClientProtocolConfig.newBuilder()
            .webSocketUri(uri)
            .handleCloseFrames(false)
            .maxFramePayloadLength(BootstrapProtocol.MAX_SERVER_FRAME_BYTES)
            .handshakeTimeoutMillis(10_000)
            .customHeaders(
                rust
                    ? null
                    : new DefaultHttpHeaders()
                        .add(BootstrapProtocol.DIALECT_HEADER, BootstrapProtocol.DIALECT_VERSION))
            .build();
    Bootstrap b =
        new Bootstrap()
            .group(GROUP)
            .channel(NioSocketChannel.class)
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ChannelPipeline p = ch.pipeline();
                    if (ssl != null) {
                      p.addLast(ssl.newHandler(ch.alloc(), uri.getHost(), uri.getPort()));
                    }
                    p.addLast(new HttpClientCodec());
                    p.addLast(new HttpObjectAggregator(64 * 1024));
                    p.addLast(new WebSocketClientProtocolHandler(config));
                    p.addLast(new Handler());
                  }
                });
    if (receiveBuffer > 0) {
      b.option(ChannelOption.SO_RCVBUF, receiveBuffer);
    }
    InetSocketAddress remote = new InetSocketAddress(uri.getHost(), uri.getPort());
    var connect = source == null ? b.connect(remote) : b.connect(remote, source);
    channel = connect.channel();
    connect.addListener(
        f -> {
          if (!f.isSuccess()) {
            handshake.completeExceptionally(f.cause());
          }
        });
    channel.closeFuture().addListener(f -> handshake.completeExceptionally(new ClosedEarly()));
  }

  static final class ClosedEarly extends Exception {
    ClosedEarly() {
      super("closed before the handshake");
    }
  }

  private final class Handler extends SimpleChannelInboundHandler<WebSocketFrame> {
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
        handshake.complete(null);
      }
      super.userEventTriggered(ctx, evt);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
      if (frame instanceof TextWebSocketFrame text) {
        frames.add(
            BootstrapCodec.readAnyServerFrame(
                text.content(), BootstrapProtocol.MAX_SERVER_FRAME_BYTES));
      } else if (frame instanceof BinaryWebSocketFrame binary) {
        byte[] bytes = new byte[binary.content().readableBytes()];
        binary.content().readBytes(bytes);
        binaryBytes.addAndGet(bytes.length);
        if (keepBinary) {
          binaries.add(bytes);
        }
      } else if (frame instanceof CloseWebSocketFrame close) {
        closeFrame.complete(close.statusCode());
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      handshake.completeExceptionally(cause);
      ctx.close();
    }
  }

  /** Returns the HTTP status of a refused handshake, or throws. */
  static int refusedStatus(Throwable t) {
    Throwable c = t;
    while (c != null && !(c instanceof WebSocketClientHandshakeException)) {
      c = c.getCause();
    }
    if (c == null) {
      throw new AssertionError("not a refused handshake", t);
    }
    return ((WebSocketClientHandshakeException) c).response().status().code();
  }

  void send(BootstrapFrame frame) {
    channel.writeAndFlush(BootstrapCodec.toTextFrame(channel.alloc(), frame));
  }

  void sendText(String json) {
    channel.writeAndFlush(new TextWebSocketFrame(json));
  }

  void sendBinary(byte[] bytes) {
    channel.writeAndFlush(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(bytes)));
  }

  /** Waits for the next text frame, whatever its type; null if none came in time. */
  BootstrapFrame next(long timeout, TimeUnit unit) throws InterruptedException {
    return frames.poll(timeout, unit);
  }

  /** Waits for the next frame of a type, dropping others before it. */
  <T extends BootstrapFrame> T await(Class<T> type) throws InterruptedException, TimeoutException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      BootstrapFrame f = frames.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      if (f == null) {
        throw new TimeoutException("no " + type.getSimpleName() + " within 10 s");
      }
      if (type.isInstance(f)) {
        return type.cast(f);
      }
    }
  }

  ServerFrame.Registered register(String nickname, int port) throws Exception {
    send(new ClientFrame.Register(nickname, port, null));
    return await(ServerFrame.Registered.class);
  }

  /** Returns the close code the server sent, waiting up to 10 s. */
  int closeCode() throws Exception {
    return closeFrame.get(10, TimeUnit.SECONDS);
  }

  /** Waits for the next binary frame's payload. */
  byte[] awaitBinary() throws InterruptedException, TimeoutException {
    byte[] b = binaries.poll(10, TimeUnit.SECONDS);
    if (b == null) {
      throw new TimeoutException("no binary frame within 10 s");
    }
    return b;
  }

  /** Returns the binary payload bytes received so far. */
  long binaryBytes() {
    return binaryBytes.get();
  }

  void resumeReading() {
    channel.config().setAutoRead(true);
  }

  void stopReading() {
    channel.config().setAutoRead(false);
  }

  Channel channel() {
    return channel;
  }

  boolean isOpen() {
    return channel.isActive();
  }

  @Override
  public void close() {
    channel.close().awaitUninterruptibly(5_000);
  }
}
