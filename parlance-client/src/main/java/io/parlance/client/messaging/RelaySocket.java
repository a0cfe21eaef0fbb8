package io.parlance.client.messaging;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.ssl.SslContext;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.parlance.protocol.bootstrap.BootstrapCodec;
import io.parlance.protocol.bootstrap.BootstrapFrame;
import io.parlance.protocol.bootstrap.RelayFrames;
import io.parlance.protocol.bootstrap.ServerFrame;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Opens a relayed session on a bootstrap server: a WebSocket to its {@value RelayFrames#PATH} path,
 * a {@code relay_join} with our token, and, once the server says {@code relay_paired}, a plain byte
 * stream: from then on the channel reads and writes {@link ByteBuf}s, carried as binary WebSocket
 * frames of at most {@value RelayFrames#MAX_CHUNK_BYTES} bytes. The caller then puts on it the same
 * pipeline a direct TCP connection gets, TLS first, so the relay forwards only ciphertext.
 */
final class RelaySocket {

  /** The handlers the session adds before the messaging pipeline. */
  static final String HTTP_CODEC = "relayHttpCodec";

  static final String HTTP_AGGREGATOR = "relayHttpAggregator";
  static final String WEBSOCKET = "relayWebSocket";
  static final String JOIN = "relayJoin";

  /** Binary frames to bytes and back, once paired. */
  static final String BYTES = "relayBytes";

  /** The largest text frame the server sends on the relay path (a refusal or relay_paired). */
  static final int MAX_TEXT_FRAME_BYTES = 4 * 1024;

  /** On a relayed outgoing channel: the peer's message address, which its acks are matched by. */
  static final AttributeKey<InetSocketAddress> PEER_ADDRESS =
      AttributeKey.valueOf("parlance.relayedPeer");

  private RelaySocket() {}

  /**
   * Returns the peer address a relayed outgoing channel stands for.
   *
   * @param channel the channel
   * @return the address, or null if the channel is not relayed
   */
  static InetSocketAddress peerAddress(Channel channel) {
    return channel.hasAttr(PEER_ADDRESS) ? channel.attr(PEER_ADDRESS).get() : null;
  }

  /**
   * Opens a session and joins it.
   *
   * @param group the event loops
   * @param relay the relay's URI ({@code ws://} or {@code wss://}, path ending in {@value
   *     RelayFrames#PATH})
   * @param tls TLS to the server for {@code wss://}, else null
   * @param join our join: the single-use token, and our key's proof of it
   * @param timeout how long connecting, the WebSocket handshake and the pairing may take, each
   * @param then what to put on the channel once paired (on its event loop); it must add the rest of
   *     the pipeline
   * @return completes with the paired channel; fails with a {@link RelayException} saying why
   */
  static CompletableFuture<Channel> open(
      EventLoopGroup group,
      URI relay,
      SslContext tls,
      RelayFrames.Join join,
      Duration timeout,
      ChannelHandler then) {
    Objects.requireNonNull(then, "then");
    Objects.requireNonNull(join, "join");
    CompletableFuture<Channel> paired = new CompletableFuture<>();
    int port = relay.getPort() > 0 ? relay.getPort() : ("wss".equals(relay.getScheme()) ? 443 : 80);
    Bootstrap b =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) timeout.toMillis())
            .option(ChannelOption.TCP_NODELAY, true)
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    if (tls != null) {
                      ch.pipeline().addLast(tls.newHandler(ch.alloc(), relay.getHost(), port));
                    }
                    ch.pipeline()
                        .addLast(HTTP_CODEC, new HttpClientCodec())
                        .addLast(HTTP_AGGREGATOR, new HttpObjectAggregator(MAX_TEXT_FRAME_BYTES))
                        .addLast(
                            WEBSOCKET,
                            new WebSocketClientProtocolHandler(
                                WebSocketClientProtocolConfig.newBuilder()
                                    .webSocketUri(relay)
                                    .maxFramePayloadLength(RelayFrames.MAX_CHUNK_BYTES)
                                    .handshakeTimeoutMillis(timeout.toMillis())
                                    .build()))
                        .addLast(JOIN, new Join(join, paired, then));
                  }
                });
    b.connect(relay.getHost(), port)
        .addListener(
            (ChannelFutureListener)
                f -> {
                  if (!f.isSuccess()) {
                    paired.completeExceptionally(
                        new RelayException(
                            "cannot connect to the relay at "
                                + relay.getHost()
                                + ":"
                                + port
                                + ": "
                                + f.cause().getMessage(),
                            f.cause()));
                    return;
                  }
                  Channel ch = f.channel();
                  ch.eventLoop()
                      .schedule(
                          () -> {
                            if (paired.completeExceptionally(
                                new RelayException(
                                    "the relay did not pair us within "
                                        + timeout.toSeconds()
                                        + " s",
                                    null))) {
                              ch.close();
                            }
                          },
                          timeout.toMillis() * 2,
                          TimeUnit.MILLISECONDS);
                  ch.closeFuture()
                      .addListener(
                          c ->
                              paired.completeExceptionally(
                                  new RelayException(
                                      "the relay closed the session before pairing us", null)));
                });
    return paired;
  }

  /** Why a relayed session could not be opened; its message is for the user. */
  static final class RelayException extends Exception {
    private static final long serialVersionUID = 1L;

    RelayException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** Sends the join once the handshake is done; waits for relay_paired or a refusal. */
  private static final class Join extends SimpleChannelInboundHandler<WebSocketFrame> {
    private final RelayFrames.Join join;
    private final CompletableFuture<Channel> paired;
    private final ChannelHandler then;

    Join(RelayFrames.Join join, CompletableFuture<Channel> paired, ChannelHandler then) {
      this.join = join;
      this.paired = paired;
      this.then = then;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
        ctx.writeAndFlush(BootstrapCodec.toTextFrame(ctx.alloc(), join));
        return;
      }
      super.userEventTriggered(ctx, evt);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
      if (!(frame instanceof TextWebSocketFrame text)) {
        fail(ctx, "the relay sent bytes before pairing us");
        return;
      }
      BootstrapFrame decoded;
      try {
        decoded = BootstrapCodec.readAnyServerFrame(text.content(), MAX_TEXT_FRAME_BYTES);
      } catch (RuntimeException e) {
        fail(ctx, "the relay sent an unreadable frame: " + e.getMessage());
        return;
      }
      if (decoded instanceof RelayFrames.Paired) {
        ctx.pipeline().replace(this, BYTES, new Bytes());
        ctx.pipeline().addLast(then);
        paired.complete(ctx.channel());
      } else if (decoded instanceof ServerFrame.Error error) {
        fail(ctx, "the relay refused: " + error.message());
      } else {
        fail(ctx, "the relay sent an unexpected frame");
      }
    }

    private void fail(ChannelHandlerContext ctx, String why) {
      paired.completeExceptionally(new RelayException(why, null));
      ctx.close();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      fail(ctx, "the relayed session failed: " + cause.getMessage());
    }
  }

  /**
   * Binary frames in, their bytes out to the pipeline above; bytes written, binary frames of at
   * most {@value RelayFrames#MAX_CHUNK_BYTES} bytes out. Anything but a binary frame after pairing
   * closes the session.
   */
  static final class Bytes extends ChannelDuplexHandler {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof BinaryWebSocketFrame binary) {
        ctx.fireChannelRead(binary.content());
        return;
      }
      ReferenceCountUtil.release(msg);
      ctx.close();
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      if (!(msg instanceof ByteBuf buf)) {
        ctx.write(msg, promise);
        return;
      }
      if (buf.readableBytes() <= RelayFrames.MAX_CHUNK_BYTES) {
        ctx.write(new BinaryWebSocketFrame(buf), promise);
        return;
      }
      try {
        while (buf.readableBytes() > RelayFrames.MAX_CHUNK_BYTES) {
          ctx.write(
              new BinaryWebSocketFrame(buf.readRetainedSlice(RelayFrames.MAX_CHUNK_BYTES)),
              ctx.voidPromise());
        }
        ctx.write(new BinaryWebSocketFrame(buf.readRetainedSlice(buf.readableBytes())), promise);
      } finally {
        buf.release();
      }
    }
  }
}
