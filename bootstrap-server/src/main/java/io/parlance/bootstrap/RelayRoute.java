package io.parlance.bootstrap;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.parlance.bootstrap.registry.PeerEntry;
import io.parlance.bootstrap.relay.RelayBroker;
import io.parlance.protocol.bootstrap.RelayFrames;
import io.parlance.protocol.bootstrap.ServerFrame;
import java.util.Optional;

/**
 * Where the registry meets the relay: tells a relay WebSocket from a registry one by its path, and
 * answers a {@code relay_request} by pairing two registrations with proven keys that both
 * registered the {@value RelayFrames#CAP} capability, through the {@link RelayBroker}. In a cluster
 * the target may be registered on another server: the offer then goes there through Redis ({@link
 * io.parlance.bootstrap.cluster.RedisCluster#routeOffer}), naming this server's relay, and both
 * peers meet here.
 */
final class RelayRoute {

  private RelayRoute() {}

  /** Tells whether a WebSocket was opened on the relay path (behind a proxy, any prefix). */
  static boolean isRelay(WebSocketServerProtocolHandler.HandshakeComplete handshake) {
    String path = new QueryStringDecoder(handshake.requestUri()).path();
    return path.equals(RelayFrames.PATH) || path.endsWith(RelayFrames.PATH);
  }

  /**
   * Answers a relay request of a registered connection: {@code relay_ready} to it and {@code
   * relay_offer} to the target, or a {@code relay_refused} error saying why not.
   */
  static void request(
      ChannelHandlerContext ctx,
      ServerState state,
      PeerEntry requester,
      RelayFrames.Request request) {
    Optional<String> problem = problem(state, requester, request);
    if (problem.isPresent()) {
      refuse(ctx, state, problem.get(), request.id());
      return;
    }
    PeerEntry target = state.registry.lookup(request.nickname()).orElseThrow();
    Channel targetChannel = state.holders.get(target.owner());
    if (targetChannel == null && state.cluster != null) {
      acrossCluster(ctx, state, requester, target, request);
      return;
    }
    if (targetChannel == null || !targetChannel.isActive()) {
      refuse(ctx, state, "'" + request.nickname() + "' is not online", request.id());
      return;
    }
    RelayBroker.Result result =
        state.relay.open(
            requester.id(), requester.key(), target.id(), target.key(), false, ctx.executor());
    if (result.tokens().isEmpty()) {
      refuse(ctx, state, result.refusal(), request.id());
      return;
    }
    RelayBroker.Tokens tokens = result.tokens().get();
    if (!targetChannel.isWritable()) {
      SlowConsumers.close(targetChannel, state.metrics);
      refuse(ctx, state, "'" + request.nickname() + "' is not reading", request.id());
      return;
    }
    state.metrics.framesOut.increment(2);
    targetChannel.writeAndFlush(
        new RelayFrames.Offer(requester.nickname(), requester.id(), tokens.target()));
    ctx.writeAndFlush(
        new RelayFrames.Ready(target.nickname(), target.id(), tokens.requester(), request.id()));
  }

  /**
   * Pairs with a peer registered on another server: opens the session here, routes the offer
   * (naming this server's relay) to the target's server, and answers {@code relay_ready} once it
   * got there.
   */
  private static void acrossCluster(
      ChannelHandlerContext ctx,
      ServerState state,
      PeerEntry requester,
      PeerEntry target,
      RelayFrames.Request request) {
    String relayUrl = state.relayUrl;
    if (relayUrl == null) {
      refuse(ctx, state, "this server has no public URL to relay at", request.id());
      return;
    }
    RelayBroker.Result result =
        state.relay.open(
            requester.id(), requester.key(), target.id(), target.key(), true, ctx.executor());
    if (result.tokens().isEmpty()) {
      refuse(ctx, state, result.refusal(), request.id());
      return;
    }
    RelayBroker.Tokens tokens = result.tokens().get();
    RelayFrames.Offer offer =
        new RelayFrames.Offer(requester.nickname(), requester.id(), tokens.target(), relayUrl);
    state
        .cluster
        .routeOffer(target, offer)
        .whenComplete(
            (delivered, error) ->
                ctx.executor()
                    .execute(
                        () -> {
                          if (error != null || !Boolean.TRUE.equals(delivered)) {
                            state.relay.cancel(tokens, "the offer was not delivered");
                            refuse(
                                ctx,
                                state,
                                error != null
                                    ? "the server of '"
                                        + request.nickname()
                                        + "' cannot be reached now; try again shortly"
                                    : "'" + request.nickname() + "' is not online",
                                request.id());
                            return;
                          }
                          if (!ctx.channel().isActive()) {
                            state.relay.cancel(tokens, "the requester left");
                            return;
                          }
                          state.metrics.framesOut.increment();
                          ctx.writeAndFlush(
                              new RelayFrames.Ready(
                                  target.nickname(),
                                  target.id(),
                                  tokens.requester(),
                                  request.id()));
                        }));
  }

  private static Optional<String> problem(
      ServerState state, PeerEntry requester, RelayFrames.Request request) {
    if (requester.id() == null) {
      return Optional.of("only a peer registered with a proven key may be relayed");
    }
    Optional<PeerEntry> target = state.registry.lookup(request.nickname());
    if (target.isEmpty() || !request.peer().equals(target.get().id())) {
      return Optional.of(
          "no peer '" + request.nickname() + "' with that id is registered here now");
    }
    if (target.get().caps() == null || !target.get().caps().contains(RelayFrames.CAP)) {
      return Optional.of("'" + request.nickname() + "' does not accept relayed sessions");
    }
    return Optional.empty();
  }

  private static void refuse(ChannelHandlerContext ctx, ServerState state, String why, String id) {
    state.metrics.error(RelayFrames.REFUSED);
    state.metrics.framesOut.increment();
    ctx.writeAndFlush(new ServerFrame.Error(RelayFrames.REFUSED, why, id));
  }
}
