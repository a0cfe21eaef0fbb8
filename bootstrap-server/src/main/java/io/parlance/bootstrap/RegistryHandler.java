package io.parlance.bootstrap;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.ReferenceCountUtil;
import io.parlance.bootstrap.registry.PeerEntry;
import io.parlance.bootstrap.registry.Registry;
import io.parlance.bootstrap.registry.RegistryPage;
import io.parlance.protocol.ProtocolException;
import io.parlance.protocol.TokenBucket;
import io.parlance.protocol.bootstrap.BootstrapProtocol;
import io.parlance.protocol.bootstrap.ClientFrame;
import io.parlance.protocol.bootstrap.ErrorCode;
import io.parlance.protocol.bootstrap.PeerInfo;
import io.parlance.protocol.bootstrap.ServerFrame;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bootstrap protocol for one connection: challenges it, registers its nickname (checking the
 * identity it claims), answers lookups and pages, subscribes it to join/leave events, enforces its
 * frame rate, and closes it with 1008 after too many bad frames. When the connection closes, its
 * registration ends at once; when a newer connection of the same identity takes its nickname over,
 * it is told {@code replaced} and closed.
 */
final class RegistryHandler extends ChannelInboundHandlerAdapter {

  /**
   * Fired on a connection whose registration a newer one of the same identity replaced.
   *
   * @param previous the registration that was replaced
   */
  record Replaced(PeerEntry previous) {}

  private static final Logger LOG = LoggerFactory.getLogger(RegistryHandler.class);

  private final ServerState state;
  private final TokenBucket frames;
  private PeerEntry registration;
  private String nonce;
  private int strikes;
  private boolean closing;

  RegistryHandler(ServerState state) {
    this.state = state;
    this.frames = new TokenBucket(state.config.framesPerSecond(), state.config.frameBurst());
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
      ctx.channel().attr(ServerState.WEBSOCKET_OPEN).set(Boolean.TRUE);
      state.channels.add(ctx.channel());
      if (state.stopping) {
        close(ctx, BootstrapProtocol.CLOSE_GOING_AWAY, "server shutting down");
        return;
      }
      ServerFrame.Challenge challenge = ServerFrame.Challenge.random(state.random);
      nonce = challenge.nonce();
      reply(ctx, challenge);
      return;
    }
    if (evt instanceof Replaced replaced) {
      replaced(ctx, replaced.previous());
      return;
    }
    super.userEventTriggered(ctx, evt);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof WebSocketFrame frame) {
      // Text frames were decoded before us; what is left is binary or stray continuation frames.
      ReferenceCountUtil.release(frame);
      strike(ctx, ErrorCode.UNSUPPORTED_FRAME, "only text frames are accepted", null);
      return;
    }
    if (!(msg instanceof ClientFrame frame)) {
      ctx.fireChannelRead(msg);
      return;
    }
    state.metrics.framesIn.increment();
    if (closing) {
      return;
    }
    if (!frames.tryTake()) {
      strike(ctx, ErrorCode.RATE_LIMITED, "too many frames; slow down", idOf(frame));
      return;
    }
    if (frame instanceof ClientFrame.Register register) {
      register(ctx, register);
    } else if (frame instanceof ClientFrame.Lookup lookup) {
      lookup(ctx, lookup);
    } else if (frame instanceof ClientFrame.ListPeers list) {
      list(ctx, list);
    } else if (frame instanceof ClientFrame.Unregister unregister) {
      unregister(ctx, unregister);
    }
  }

  private void register(ChannelHandlerContext ctx, ClientFrame.Register register) {
    if (registration != null) {
      error(
          ctx,
          ErrorCode.ALREADY_REGISTERED,
          "this connection holds '" + registration.nickname() + "'; unregister first",
          null);
      return;
    }
    ServerState.IpState ip = ctx.channel().attr(ServerState.IP_STATE).get();
    if (ip != null && !ip.registrations.tryTake()) {
      state.metrics.registrationsRejected.increment();
      strike(ctx, ErrorCode.RATE_LIMITED, "too many registrations from your address", null);
      return;
    }
    if (register.claimsIdentity()) {
      Optional<String> problem = register.identityProblem(nonce);
      if (problem.isPresent()) {
        state.metrics.registrationsBadSignature.increment();
        strike(
            ctx,
            ErrorCode.BAD_SIGNATURE,
            "cannot register '" + register.nickname() + "' with this identity: " + problem.get(),
            null);
        return;
      }
    }
    InetAddress clientIp = ctx.channel().attr(ServerState.CLIENT_IP).get();
    if (clientIp == null) {
      clientIp = ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress();
    }
    boolean identified = register.claimsIdentity();
    PeerEntry entry =
        new PeerEntry(
            register.nickname(),
            new InetSocketAddress(clientIp, register.tcpPort()),
            register.addresses(),
            ctx.channel().id().asLongText(),
            register.id(),
            register.key(),
            register.caps(),
            identified ? nonce : null,
            register.sig());
    // Known as a holder before it holds, so a takeover racing with this registration finds it.
    state.holders.put(entry.owner(), ctx.channel());
    Registry.Outcome outcome = state.registry.register(entry);
    if (outcome == Registry.Outcome.TAKEN) {
      state.holders.remove(entry.owner(), ctx.channel());
      state.metrics.registrationsTaken.increment();
      error(
          ctx,
          ErrorCode.NICKNAME_TAKEN,
          "the nickname '"
              + register.nickname()
              + "' is held by another online peer"
              + (identified ? " (with another key, or none)" : ""),
          null);
      return;
    }
    registration = entry;
    if (outcome == Registry.Outcome.REPLACED) {
      state.metrics.registrationsReplaced.increment();
      LOG.info(
          "[id: 0x{}] '{}' reconnected: took its nickname over from its older connection",
          ctx.channel().id().asShortText(),
          entry.nickname());
    } else {
      state.metrics.registered.increment();
    }
    LOG.debug(
        "[id: 0x{}] Registered '{}' at {}{}",
        ctx.channel().id().asShortText(),
        entry.nickname(),
        entry.address(),
        identified ? " as " + entry.id() : "");
    ServerFrame.Registered registered =
        new ServerFrame.Registered(
            entry.nickname(), entry.toPeerInfo().address(), state.registry.size());
    if (!register.wantsEvents()) {
      reply(ctx, registered);
      return;
    }
    // Subscribe before the page is read from the registry: a change that misses the page is then
    // in a later event (the fan-out writes on this loop, so after the page), never in neither.
    state.broadcaster.subscribe(ctx.channel());
    ctx.write(registered);
    ctx.writeAndFlush(page(null, BootstrapProtocol.DEFAULT_PAGE, null));
    state.metrics.framesOut.increment(2);
  }

  private void lookup(ChannelHandlerContext ctx, ClientFrame.Lookup lookup) {
    if (!requireRegistration(ctx, lookup.id())) {
      return;
    }
    Optional<PeerEntry> found = state.registry.lookup(lookup.nickname());
    (found.isPresent() ? state.metrics.lookupsFound : state.metrics.lookupsNotFound).increment();
    reply(
        ctx,
        new ServerFrame.LookupResult(
            lookup.nickname(),
            found.isPresent(),
            found.map(PeerEntry::toPeerInfo).orElse(null),
            lookup.id()));
  }

  private void list(ChannelHandlerContext ctx, ClientFrame.ListPeers list) {
    if (!requireRegistration(ctx, list.id())) {
      return;
    }
    int limit =
        list.limit() == null
            ? BootstrapProtocol.DEFAULT_PAGE
            : Math.min(list.limit(), BootstrapProtocol.MAX_PAGE);
    state.metrics.lists.increment();
    reply(ctx, page(list.cursor(), limit, list.id()));
  }

  private void unregister(ChannelHandlerContext ctx, ClientFrame.Unregister unregister) {
    if (!requireRegistration(ctx, unregister.id())) {
      return;
    }
    endRegistration(ctx);
    reply(ctx, new ServerFrame.Unregistered(unregister.id()));
  }

  private ServerFrame.Peers page(String cursor, int limit, String id) {
    RegistryPage page = state.registry.list(cursor, limit);
    List<PeerInfo> peers = new ArrayList<>(page.peers().size());
    for (PeerEntry entry : page.peers()) {
      peers.add(entry.toPeerInfo());
    }
    return new ServerFrame.Peers(peers, page.nextCursor(), id);
  }

  private boolean requireRegistration(ChannelHandlerContext ctx, String id) {
    if (registration == null) {
      error(ctx, ErrorCode.NOT_REGISTERED, "register first", id);
      return false;
    }
    return true;
  }

  /** A newer connection of the same identity holds our nickname now: tell the client, close. */
  private void replaced(ChannelHandlerContext ctx, PeerEntry previous) {
    if (registration == null || !registration.equals(previous)) {
      return;
    }
    state.holders.remove(registration.owner(), ctx.channel());
    state.broadcaster.unsubscribe(ctx.channel());
    registration = null;
    error(
        ctx,
        ErrorCode.REPLACED,
        "a newer connection registered '"
            + previous.nickname()
            + "' with the same key; this one is closed",
        null);
    close(ctx, BootstrapProtocol.CLOSE_NORMAL, "replaced by a newer connection");
  }

  private void endRegistration(ChannelHandlerContext ctx) {
    if (registration != null) {
      state.holders.remove(registration.owner(), ctx.channel());
      state.broadcaster.unsubscribe(ctx.channel());
      state.registry.unregister(registration);
      LOG.debug(
          "[id: 0x{}] Unregistered '{}'",
          ctx.channel().id().asShortText(),
          registration.nickname());
      registration = null;
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    endRegistration(ctx);
    super.channelInactive(ctx);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof ProtocolException e) {
      strike(ctx, ErrorCode.of(e.kind()), e.getMessage(), null);
    } else if (cause instanceof TooLongFrameException) {
      state.metrics.error(ErrorCode.FRAME_TOO_LARGE);
      error(ctx, ErrorCode.FRAME_TOO_LARGE, "message over " + limitText(), null);
      close(ctx, BootstrapProtocol.CLOSE_TOO_BIG, "message too big");
    } else if (cause instanceof CorruptedFrameException) {
      // The WebSocket decoder has already sent a close frame (1002, or 1009 for size).
      LOG.debug(
          "[id: 0x{}] Bad WebSocket frame: {}",
          ctx.channel().id().asShortText(),
          cause.getMessage());
      state.metrics.error(ErrorCode.FRAME_TOO_LARGE);
      ctx.close();
    } else if (cause instanceof IOException || cause.getCause() instanceof SSLException) {
      LOG.debug("[id: 0x{}] {}", ctx.channel().id().asShortText(), cause.toString());
      ctx.close();
    } else {
      LOG.warn("[id: 0x{}] Unexpected error; closing", ctx.channel().id().asShortText(), cause);
      ctx.close();
    }
  }

  private static String limitText() {
    return BootstrapProtocol.MAX_CLIENT_FRAME_BYTES + " bytes";
  }

  private void strike(ChannelHandlerContext ctx, String code, String message, String id) {
    error(ctx, code, message, id);
    if (++strikes >= state.config.maxStrikes()) {
      LOG.info(
          "[id: 0x{}] Closing after {} bad frames (last: {})",
          ctx.channel().id().asShortText(),
          strikes,
          code);
      state.metrics.abusersClosed.increment();
      close(ctx, BootstrapProtocol.CLOSE_POLICY_VIOLATION, "too many bad frames");
    }
  }

  private void error(ChannelHandlerContext ctx, String code, String message, String id) {
    if (closing) {
      return;
    }
    state.metrics.error(code);
    LOG.debug("[id: 0x{}] {}: {}", ctx.channel().id().asShortText(), code, message);
    reply(ctx, new ServerFrame.Error(code, message, id));
  }

  private void reply(ChannelHandlerContext ctx, ServerFrame frame) {
    if (!ctx.channel().isWritable()) {
      // Replies are small and paced by the frame rate; a client this far behind is not reading.
      SlowConsumers.close(ctx.channel(), state.metrics);
      return;
    }
    state.metrics.framesOut.increment();
    ctx.writeAndFlush(frame);
  }

  private void close(ChannelHandlerContext ctx, int code, String reason) {
    if (closing) {
      return;
    }
    closing = true;
    ctx.writeAndFlush(new CloseWebSocketFrame(code, reason))
        .addListener(ChannelFutureListener.CLOSE);
    // A client that does not read its close frame is closed anyway.
    ctx.executor().schedule(() -> ctx.channel().close(), 2, TimeUnit.SECONDS);
  }

  private static String idOf(ClientFrame frame) {
    if (frame instanceof ClientFrame.Lookup l) {
      return l.id();
    } else if (frame instanceof ClientFrame.ListPeers l) {
      return l.id();
    } else if (frame instanceof ClientFrame.Unregister u) {
      return u.id();
    }
    return null;
  }
}
