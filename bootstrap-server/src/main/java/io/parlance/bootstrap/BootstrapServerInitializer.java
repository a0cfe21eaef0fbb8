package io.parlance.bootstrap;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.parlance.protocol.bootstrap.BootstrapFrameDecoder;
import io.parlance.protocol.bootstrap.BootstrapFrameEncoder;
import io.parlance.protocol.bootstrap.BootstrapProtocol;
import java.util.concurrent.TimeUnit;

/**
 * Builds the pipeline of each accepted connection, in the order {@link BootstrapPipeline} draws.
 */
final class BootstrapServerInitializer extends ChannelInitializer<SocketChannel> {

  /** Largest HTTP request (the upgrade request, or a health check), headers included. */
  static final int MAX_HTTP_REQUEST_BYTES = 8 * 1024;

  private final ServerState state;
  private final HttpEndpointHandler httpEndpoints;
  private final ConnectionLimiter connectionLimiter;
  private final PendingLimiter pendingLimiter;
  private final HeartbeatHandler heartbeat;
  private final WebSocketServerProtocolConfig webSocketConfig;

  BootstrapServerInitializer(ServerState state) {
    this.state = state;
    this.httpEndpoints = new HttpEndpointHandler(state);
    this.connectionLimiter = new ConnectionLimiter(state);
    this.pendingLimiter = new PendingLimiter(state);
    this.heartbeat = new HeartbeatHandler(state.metrics);
    this.webSocketConfig =
        WebSocketServerProtocolConfig.newBuilder()
            .websocketPath("/")
            .checkStartsWith(true)
            .handshakeTimeoutMillis(state.config.requestTimeout().toMillis())
            .decoderConfig(
                WebSocketDecoderConfig.newBuilder()
                    .maxFramePayloadLength(BootstrapProtocol.MAX_CLIENT_FRAME_BYTES)
                    .allowExtensions(false)
                    .closeOnProtocolViolation(true)
                    .build())
            .build();
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    state.metrics.connections().incrementAndGet();
    ch.closeFuture().addListener(f -> state.metrics.connections().decrementAndGet());
    ChannelPipeline p = ch.pipeline();
    p.addLast(BootstrapPipeline.PENDING_LIMIT, pendingLimiter);
    p.addLast(
        BootstrapPipeline.REQUEST_DEADLINE,
        new RequestDeadline(state.config.requestTimeout(), state.metrics));
    if (state.config.sslContext() != null) {
      p.addLast(BootstrapPipeline.TLS, state.config.sslContext().newHandler(ch.alloc()));
    }
    long half = Math.max(100, state.config.deadAfter().toMillis() / 2);
    p.addLast(BootstrapPipeline.IDLE, new IdleStateHandler(half, 0, 0, TimeUnit.MILLISECONDS));
    p.addLast(BootstrapPipeline.HTTP_CODEC, new HttpServerCodec(4096, 4096, 4096));
    p.addLast(BootstrapPipeline.HTTP_AGGREGATOR, new HttpObjectAggregator(MAX_HTTP_REQUEST_BYTES));
    p.addLast(BootstrapPipeline.HTTP_ENDPOINTS, httpEndpoints);
    p.addLast(BootstrapPipeline.CONNECTION_LIMIT, connectionLimiter);
    p.addLast(BootstrapPipeline.WEBSOCKET, new WebSocketServerProtocolHandler(webSocketConfig));
    p.addLast(
        BootstrapPipeline.WS_AGGREGATOR,
        new WebSocketFrameAggregator(BootstrapProtocol.MAX_CLIENT_FRAME_BYTES));
    p.addLast(BootstrapPipeline.FRAME_DECODER, BootstrapFrameDecoder.CLIENT_FRAMES);
    p.addLast(BootstrapPipeline.FRAME_ENCODER, BootstrapFrameEncoder.INSTANCE);
    p.addLast(BootstrapPipeline.HEARTBEAT, heartbeat);
    p.addLast(BootstrapPipeline.REGISTRY, new RegistryHandler(state));
  }
}
