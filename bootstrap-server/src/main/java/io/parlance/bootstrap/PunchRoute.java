package io.parlance.bootstrap;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.parlance.bootstrap.registry.PeerEntry;
import io.parlance.bootstrap.relay.PunchCoordinator;
import io.parlance.protocol.bootstrap.HostPort;
import io.parlance.protocol.bootstrap.PunchFrames;
import io.parlance.protocol.bootstrap.ServerFrame;
import io.parlance.protocol.json.WireJson;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Where the registry meets the hole-punch coordinator: answers a {@code punch_request} of a
 * registration with a proven key for a peer held on this server that proved its key and registered
 * the {@value PunchFrames#CAP} capability, and serves {@code GET /punch?token=...}, which tells a
 * side the mapping it came from.
 */
final class PunchRoute {

  private PunchRoute() {}

  /** Tells whether an HTTP path is the mapping path (behind a proxy, any prefix). */
  static boolean isMappingPath(String path) {
    return path.equals(PunchFrames.PATH) || path.endsWith(PunchFrames.PATH);
  }

  /**
   * Answers {@code punch_ready} to the requester and {@code punch_offer} to the target, or why not.
   */
  static void request(
      ChannelHandlerContext ctx,
      ServerState state,
      PeerEntry requester,
      PunchFrames.Request request) {
    if (requester.id() == null) {
      refuse(ctx, state, "only a peer registered with a proven key may punch holes", request.id());
      return;
    }
    Optional<PeerEntry> found = state.registry.lookup(request.nickname());
    if (found.isEmpty() || !request.peer().equals(found.get().id())) {
      refuse(
          ctx,
          state,
          "no peer '" + request.nickname() + "' with that id is registered here now",
          request.id());
      return;
    }
    PeerEntry target = found.get();
    if (target.caps() == null || !target.caps().contains(PunchFrames.CAP)) {
      refuse(
          ctx,
          state,
          "'" + request.nickname() + "' does not take part in hole punches",
          request.id());
      return;
    }
    Channel targetChannel = state.holders.get(target.owner());
    if (targetChannel == null || !targetChannel.isActive()) {
      refuse(
          ctx,
          state,
          "'" + request.nickname() + "' is not connected to this server (a punch needs both here)",
          request.id());
      return;
    }
    if (!targetChannel.isWritable()) {
      refuse(ctx, state, "'" + request.nickname() + "' is not reading", request.id());
      return;
    }
    Channel own = ctx.channel();
    PunchCoordinator.Opened opened =
        state.punch.open(requester.id(), sink(state, own), target.id(), sink(state, targetChannel));
    if (opened.isRefused()) {
      refuse(ctx, state, opened.refusal(), request.id());
      return;
    }
    state.metrics.framesOut.increment(2);
    targetChannel.writeAndFlush(
        new PunchFrames.Offer(requester.nickname(), requester.id(), opened.targetToken()));
    ctx.writeAndFlush(
        new PunchFrames.Ready(
            target.nickname(), target.id(), opened.requesterToken(), request.id()));
  }

  private static Consumer<ServerFrame> sink(ServerState state, Channel ch) {
    return frame -> {
      if (ch.isActive()) {
        state.metrics.framesOut.increment();
        ch.writeAndFlush(frame);
      }
    };
  }

  /** {@code GET /punch?token=T}: the source address of this request, if T is a live token. */
  static void mapping(ChannelHandlerContext ctx, ServerState state, QueryStringDecoder query) {
    List<String> token = query.parameters().get("token");
    Optional<InetSocketAddress> seen =
        token == null
                || token.size() != 1
                || !(ctx.channel().remoteAddress() instanceof InetSocketAddress)
            ? Optional.empty()
            : state.punch.observe(token.get(0), (InetSocketAddress) ctx.channel().remoteAddress());
    if (seen.isEmpty()) {
      HttpEndpointHandler.respond(
          ctx,
          HttpResponseStatus.NOT_FOUND,
          "application/json",
          HttpEndpointHandler.json("no hole punch with that token (spent or expired)"));
      return;
    }
    HttpEndpointHandler.respond(
        ctx,
        HttpResponseStatus.OK,
        "application/json",
        new String(
            WireJson.toBytes(Map.of("address", HostPort.format(seen.get()))),
            StandardCharsets.UTF_8));
  }

  private static void refuse(ChannelHandlerContext ctx, ServerState state, String why, String id) {
    state.metrics.error(PunchFrames.REFUSED);
    state.metrics.framesOut.increment();
    ctx.writeAndFlush(new ServerFrame.Error(PunchFrames.REFUSED, why, id));
  }
}
