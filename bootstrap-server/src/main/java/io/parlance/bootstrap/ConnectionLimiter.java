package io.parlance.bootstrap;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.NetUtil;
import io.parlance.protocol.bootstrap.ErrorCode;
import io.parlance.protocol.bootstrap.ServerFrame;
import io.parlance.protocol.json.WireJson;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Works out the client's IP for a WebSocket upgrade request (the TCP peer, or with {@code
 * --trust-proxy} the last {@code X-Forwarded-For} hop) and refuses the upgrade with HTTP 429 and a
 * {@code too_many_connections} error when that IP already holds its limit of connections.
 */
@Sharable
final class ConnectionLimiter extends ChannelInboundHandlerAdapter {

  private static final Logger LOG = LoggerFactory.getLogger(ConnectionLimiter.class);

  private final ServerState state;

  ConnectionLimiter(ServerState state) {
    this.state = state;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof FullHttpRequest request) || ctx.channel().hasAttr(ServerState.IP_STATE)) {
      ctx.fireChannelRead(msg);
      return;
    }
    // The request is complete: it no longer counts as unfinished, but as a WebSocket of its IP.
    PendingLimiter.release(ctx.channel());
    InetAddress ip = clientIp(ctx, request);
    ctx.channel().attr(ServerState.CLIENT_IP).set(ip);
    int limit = state.config.maxConnectionsPerIp();
    boolean[] admitted = new boolean[1];
    ServerState.IpState ipState =
        state.ips.compute(
            ip,
            (k, s) -> {
              ServerState.IpState st = s == null ? new ServerState.IpState(state.config) : s;
              if (st.connections < limit) {
                st.connections++;
                admitted[0] = true;
              }
              return st.connections == 0 ? null : st;
            });
    if (!admitted[0]) {
      request.release();
      LOG.info(
          "[id: 0x{}] Refusing a connection from {}: it has {} already",
          ctx.channel().id().asShortText(),
          ip.getHostAddress(),
          limit);
      state.metrics.error(ErrorCode.TOO_MANY_CONNECTIONS);
      ServerFrame.Error error =
          new ServerFrame.Error(
              ErrorCode.TOO_MANY_CONNECTIONS,
              "too many connections from " + ip.getHostAddress() + " (limit " + limit + ")");
      HttpEndpointHandler.respond(
          ctx,
          HttpResponseStatus.TOO_MANY_REQUESTS,
          "application/json",
          new String(WireJson.toBytes(error), StandardCharsets.UTF_8));
      return;
    }
    ctx.channel().attr(ServerState.IP_STATE).set(ipState);
    state.metrics.websockets().incrementAndGet();
    ctx.channel()
        .closeFuture()
        .addListener(
            f -> {
              state.metrics.websockets().decrementAndGet();
              state.ips.computeIfPresent(ip, (k, s) -> --s.connections == 0 ? null : s);
            });
    ctx.fireChannelRead(msg);
  }

  private InetAddress clientIp(ChannelHandlerContext ctx, FullHttpRequest request) {
    InetAddress direct = ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress();
    if (!state.config.trustProxy()) {
      return direct;
    }
    String forwarded = request.headers().get("X-Forwarded-For");
    if (forwarded == null) {
      forwarded = request.headers().get("X-Real-IP");
    }
    if (forwarded == null) {
      return direct;
    }
    String last = forwarded.substring(forwarded.lastIndexOf(',') + 1).trim();
    byte[] bytes = NetUtil.createByteArrayFromIpAddressString(last);
    if (bytes == null) {
      return direct;
    }
    try {
      return InetAddress.getByAddress(bytes);
    } catch (UnknownHostException e) {
      return direct;
    }
  }
}
