package io.parlance.client.internet;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import io.parlance.protocol.bootstrap.BootstrapFrameDecoder;
import io.parlance.protocol.bootstrap.BootstrapFrameEncoder;
import io.parlance.protocol.bootstrap.BootstrapProtocol;
import java.util.concurrent.TimeUnit;

/**
 * The connector's pipeline: (TLS) → idle → HTTP codec → aggregator → WebSocket handshake and
 * control frames → message aggregator → JSON frame codec → {@link BootstrapClientHandler}. The idle
 * handler sits below the WebSocket handler so that pongs, which that handler consumes, count as
 * reads.
 */
final class BootstrapClientInitializer extends ChannelInitializer<SocketChannel> {

  /** TLS for {@code wss://}. */
  static final String TLS = "tls";

  /** HTTP codec for the handshake. */
  static final String HTTP_CODEC = "http-codec";

  /** Whole handshake responses. */
  static final String HTTP_AGGREGATOR = "http-aggregator";

  /** The WebSocket handshake, pong replies, frame codec. */
  static final String WEBSOCKET = "websocket";

  /** Joins fragmented messages. */
  static final String WS_AGGREGATOR = "ws-aggregator";

  /** Notices quiet and silence: any bytes read, pongs included, reset it. */
  static final String IDLE = "idle";

  /** Text frames to server frames. */
  static final String FRAME_DECODER = "frame-decoder";

  /** Client frames to text frames. */
  static final String FRAME_ENCODER = "frame-encoder";

  /** The protocol. */
  static final String LOGIC = "bootstrap";

  private final BootstrapClientOptions options;
  private final SslContext sslContext;
  private final BootstrapClientHandler handler;

  BootstrapClientInitializer(
      BootstrapClientOptions options, SslContext sslContext, BootstrapClientHandler handler) {
    this.options = options;
    this.sslContext = sslContext;
    this.handler = handler;
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    ChannelPipeline p = ch.pipeline();
    if (sslContext != null) {
      p.addLast(TLS, sslContext.newHandler(ch.alloc(), options.server().getHost(), options.port()));
    }
    // Next to the socket, so every byte read counts as life: the WebSocket handler below swallows
    // pong frames, and an idle handler above it saw only silence from a server that answered
    // every ping (issue 16: an idle peer dropped its registration every 45 s).
    p.addLast(
        IDLE,
        new IdleStateHandler(
            options.deadAfter().toMillis(),
            options.pingInterval().toMillis(),
            0,
            TimeUnit.MILLISECONDS));
    p.addLast(HTTP_CODEC, new HttpClientCodec());
    p.addLast(HTTP_AGGREGATOR, new HttpObjectAggregator(16 * 1024));
    p.addLast(
        WEBSOCKET,
        new WebSocketClientProtocolHandler(
            WebSocketClientProtocolConfig.newBuilder()
                .webSocketUri(options.server())
                .handleCloseFrames(false)
                .maxFramePayloadLength(BootstrapProtocol.MAX_SERVER_FRAME_BYTES)
                .handshakeTimeoutMillis(options.connectTimeout().toMillis())
                // Tells our server to challenge at once; a Rust server ignores it.
                .customHeaders(
                    new DefaultHttpHeaders()
                        .add(BootstrapProtocol.DIALECT_HEADER, BootstrapProtocol.DIALECT_VERSION))
                .build()));
    p.addLast(
        WS_AGGREGATOR, new WebSocketFrameAggregator(BootstrapProtocol.MAX_SERVER_FRAME_BYTES));
    p.addLast(FRAME_DECODER, BootstrapFrameDecoder.SERVER_FRAMES);
    p.addLast(FRAME_ENCODER, BootstrapFrameEncoder.INSTANCE);
    p.addLast(LOGIC, handler);
  }
}
