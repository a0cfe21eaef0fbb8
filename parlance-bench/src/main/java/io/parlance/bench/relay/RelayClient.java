package io.parlance.bench.relay;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.parlance.protocol.bootstrap.BootstrapCodec;
import io.parlance.protocol.bootstrap.BootstrapFrame;
import io.parlance.protocol.bootstrap.BootstrapProtocol;
import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One WebSocket connection of the relay benchmark to the server on loopback: text frames are
 * decoded and queued, binary frames only counted. A connection can {@link #pump pump}: write one
 * payload as a binary frame again and again, as long as its channel is writable (so the server's
 * backpressure, and its per-session cap, set the pace), until told to stop.
 */
final class RelayClient implements AutoCloseable {

  private static final long WAIT_SECONDS = 20;

  private final LinkedBlockingQueue<BootstrapFrame> frames = new LinkedBlockingQueue<>();
  private final Object counting = new Object();
  private long binaryBytes; // guarded by counting, with binaryFrames: read together, they agree
  private long binaryFrames; // guarded by counting
  private final CompletableFuture<Void> handshake = new CompletableFuture<>();
  private Channel channel;
  private volatile ByteBuf payload;

  private RelayClient() {}

  /**
   * Connects and waits for the WebSocket handshake.
   *
   * @param group the event loops
   * @param port the server's port on 127.0.0.1
   * @param path {@code /} or the relay path
   * @return the connected client
   * @throws Exception if it does not connect within 20 s
   */
  static RelayClient connect(EventLoopGroup group, int port, String path) throws Exception {
    RelayClient client = new RelayClient();
    client.start(group, URI.create("ws://127.0.0.1:" + port + path));
    client.handshake.get(WAIT_SECONDS, TimeUnit.SECONDS);
    return client;
  }

  private void start(EventLoopGroup group, URI uri) {
    WebSocketClientProtocolConfig config =
        WebSocketClientProtocolConfig.newBuilder()
            .webSocketUri(uri)
            .maxFramePayloadLength(BootstrapProtocol.MAX_SERVER_FRAME_BYTES)
            .handshakeTimeoutMillis(TimeUnit.SECONDS.toMillis(WAIT_SECONDS))
            .customHeaders(
                new DefaultHttpHeaders()
                    .add(BootstrapProtocol.DIALECT_HEADER, BootstrapProtocol.DIALECT_VERSION))
            .build();
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
                        .addLast(new WebSocketClientProtocolHandler(config))
                        .addLast(new Handler());
                  }
                })
            .connect(uri.getHost(), uri.getPort())
            .addListener(
                f -> {
                  if (!f.isSuccess()) {
                    handshake.completeExceptionally(f.cause());
                  }
                })
            .channel();
    channel
        .closeFuture()
        .addListener(f -> handshake.completeExceptionally(new IllegalStateException("closed")));
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
      if (frame instanceof BinaryWebSocketFrame binary) {
        synchronized (counting) {
          binaryBytes += binary.content().readableBytes();
          binaryFrames++;
        }
      } else if (frame instanceof TextWebSocketFrame text) {
        frames.add(
            BootstrapCodec.readAnyServerFrame(
                text.content(), BootstrapProtocol.MAX_SERVER_FRAME_BYTES));
      }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
      fill();
      super.channelWritabilityChanged(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      handshake.completeExceptionally(cause);
      ctx.close();
    }
  }

  /** Writes the payload while the channel is writable; on the channel's event loop. */
  private void fill() {
    ByteBuf p = payload;
    if (p == null) {
      return;
    }
    boolean wrote = false;
    while (channel.isActive() && channel.isWritable() && payload != null) {
      channel.write(new BinaryWebSocketFrame(p.retainedDuplicate()));
      wrote = true;
    }
    if (wrote) {
      channel.flush();
    }
  }

  /**
   * Starts writing a payload as binary frames, as fast as the channel takes them.
   *
   * @param bytes the payload of every frame (the caller keeps ownership; released by {@link
   *     #stopPumping})
   */
  void pump(ByteBuf bytes) {
    payload = bytes;
    channel.eventLoop().execute(this::fill);
  }

  /** Stops writing; frames already written still go out. */
  void stopPumping() {
    payload = null;
  }

  void send(BootstrapFrame frame) {
    channel.writeAndFlush(BootstrapCodec.toTextFrame(channel.alloc(), frame));
  }

  /** Waits for the next text frame of a type, dropping others before it. */
  <T extends BootstrapFrame> T await(Class<T> type) throws InterruptedException, TimeoutException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
    while (true) {
      BootstrapFrame f = frames.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      if (f == null) {
        throw new TimeoutException(
            "the server sent no " + type.getSimpleName() + " within " + WAIT_SECONDS + " s");
      }
      if (type.isInstance(f)) {
        return type.cast(f);
      }
    }
  }

  /**
   * The binary frames received so far and their payload bytes, counted together.
   *
   * @return {bytes, frames}
   */
  long[] binaryCounts() {
    synchronized (counting) {
      return new long[] {binaryBytes, binaryFrames};
    }
  }

  boolean isOpen() {
    return channel.isActive();
  }

  @Override
  public void close() {
    channel.close().awaitUninterruptibly(5_000);
  }
}
