package io.parlance.bootstrap;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.parlance.bootstrap.mailbox.Mailbox;
import io.parlance.protocol.json.WireJson;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Serves the plain-HTTP side of the port: {@code GET /healthz} (JSON) and {@code GET /metrics}
 * (Prometheus text), {@code GET /punch?token=...} (a hole punch's mapping); passes WebSocket
 * upgrade requests on and answers anything else with 404.
 */
@Sharable
final class HttpEndpointHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

  private final ServerState state;

  HttpEndpointHandler(ServerState state) {
    super(FullHttpRequest.class, false);
    this.state = state;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    if (request.decoderResult().isSuccess()
        && request
            .headers()
            .containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)) {
      ctx.fireChannelRead(request);
      return;
    }
    try {
      String path = new QueryStringDecoder(request.uri()).path();
      if (!request.decoderResult().isSuccess()) {
        respond(ctx, HttpResponseStatus.BAD_REQUEST, "application/json", json("bad request"));
      } else if (!HttpMethod.GET.equals(request.method())) {
        respond(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, "application/json", json("use GET"));
      } else if ("/healthz".equals(path)) {
        respond(
            ctx,
            state.stopping ? HttpResponseStatus.SERVICE_UNAVAILABLE : HttpResponseStatus.OK,
            "application/json",
            health());
      } else if ("/metrics".equals(path)) {
        respond(
            ctx,
            HttpResponseStatus.OK,
            "text/plain; version=0.0.4; charset=utf-8",
            state.metrics.scrape());
      } else if (PunchRoute.isMappingPath(path)) {
        PunchRoute.mapping(ctx, state, new QueryStringDecoder(request.uri()));
      } else {
        respond(
            ctx,
            HttpResponseStatus.NOT_FOUND,
            "application/json",
            json(
                "not found: the WebSocket endpoint needs an Upgrade request; see /healthz and /metrics"));
      }
    } finally {
      request.release();
    }
  }

  private String health() {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", state.stopping ? "stopping" : "ok");
    body.put("peers_online", state.registry.size());
    body.put("connections", state.metrics.websockets().get());
    if (state.mailbox != null) {
      Mailbox.Stats mail = state.mailbox.stats();
      body.put(
          "mailbox",
          Map.of(
              "messages", mail.messages(),
              "bytes", mail.bytes(),
              "notices", mail.notices(),
              "keys", mail.keys()));
    }
    body.put("relay_sessions", state.relay.sessions());
    body.put("relay_bytes", state.relay.bytesRelayed());
    body.put("punch_sessions", state.punch.sessions());
    body.put("uptime_seconds", (System.nanoTime() - state.startNanos) / 1_000_000_000L);
    return new String(WireJson.toBytes(body), StandardCharsets.UTF_8);
  }

  static String json(String error) {
    return new String(WireJson.toBytes(Map.of("error", error)), StandardCharsets.UTF_8);
  }

  static void respond(
      ChannelHandlerContext ctx, HttpResponseStatus status, String contentType, String body) {
    ByteBuf content = Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
    response
        .headers()
        .set(HttpHeaderNames.CONTENT_TYPE, contentType)
        .set(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes())
        .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
        .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE);
    ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
  }
}
