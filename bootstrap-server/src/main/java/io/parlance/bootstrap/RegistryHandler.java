package io.parlance.bootstrap;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.parlance.bootstrap.mailbox.MailboxService;
import io.parlance.bootstrap.registry.NicknameClaims;
import io.parlance.bootstrap.registry.PeerEntry;
import io.parlance.bootstrap.registry.RegistryPage;
import io.parlance.bootstrap.relay.RelayJoinHandler;
import io.parlance.protocol.LogLimiter;
import io.parlance.protocol.ProtocolException;
import io.parlance.protocol.TokenBucket;
import io.parlance.protocol.bootstrap.BootstrapFrame;
import io.parlance.protocol.bootstrap.BootstrapProtocol;
import io.parlance.protocol.bootstrap.ClientFrame;
import io.parlance.protocol.bootstrap.ErrorCode;
import io.parlance.protocol.bootstrap.HostPort;
import io.parlance.protocol.bootstrap.MailClientFrame;
import io.parlance.protocol.bootstrap.PeerInfo;
import io.parlance.protocol.bootstrap.PunchFrames;
import io.parlance.protocol.bootstrap.RelayFrames;
import io.parlance.protocol.bootstrap.RustClientFrame;
import io.parlance.protocol.bootstrap.RustServerFrame;
import io.parlance.protocol.bootstrap.ServerFrame;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
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
 *
 * <p>It speaks the Rust Parlance's dialect to a connection whose first frame is in it: such a peer
 * never gets a challenge (a Rust client fails on a frame type it does not know), registers as a
 * plain peer, polls {@code list_peers} and is never pushed anything. A connection whose upgrade
 * request carries {@link BootstrapProtocol#DIALECT_HEADER} is ours and challenged at once; one
 * without it that stays silent for {@link BootstrapProtocol#UNMARKED_CHALLENGE_DELAY_MILLIS} is
 * challenged then (a peer of ours from before the header), and one that speaks first in our dialect
 * is ours without a challenge (so it can only register plain).
 *
 * <p>A nickname a key held stays reserved for that key for a while after it leaves ({@link
 * NicknameHolds}), and a keyed registration takes a nickname from a plain holder, who is told and
 * closed: a plain peer can prove nothing, so it cannot keep a name from one who can.
 */
final class RegistryHandler extends ChannelInboundHandlerAdapter {

  /**
   * Fired on a connection whose registration a newer one of the same identity replaced.
   *
   * @param previous the registration that was replaced
   */
  record Replaced(PeerEntry previous) {}

  /**
   * Fired on a plain connection whose nickname a keyed registration took.
   *
   * @param previous the plain registration that was ended
   */
  record Displaced(PeerEntry previous) {}

  /** Which dialect the connection speaks, once known. */
  private enum Dialect {
    UNKNOWN,
    OURS,
    RUST
  }

  private static final Logger LOG = LoggerFactory.getLogger(RegistryHandler.class);
  private static final LogLimiter UNEXPECTED = new LogLimiter();

  /** An error as one bounded line, its control characters made visible. */
  static String oneLine(Throwable cause) {
    String text = cause.getClass().getSimpleName() + ": " + cause.getMessage();
    StringBuilder out = new StringBuilder();
    text.codePoints()
        .limit(200)
        .forEach(c -> out.append(Character.isISOControl(c) ? "?" : Character.toString(c)));
    return text.codePointCount(0, text.length()) > 200 ? out + "..." : out.toString();
  }

  private final ServerState state;
  private final TokenBucket frames;
  private PeerEntry registration;
  private String nonce;
  private Dialect dialect = Dialect.UNKNOWN;
  private ScheduledFuture<?> challengeLater;
  private int strikes;
  private boolean closing;
  private boolean probing;

  /** A claim is under way: its answer comes later (through a shared store). */
  private boolean claiming;

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
      if (RelayRoute.isRelay((WebSocketServerProtocolHandler.HandshakeComplete) evt)) {
        // A relay WebSocket: no registry here, only a session's bytes.
        ctx.pipeline().replace(this, BootstrapPipeline.RELAY, new RelayJoinHandler(state.relay));
        return;
      }
      HttpHeaders headers =
          ((WebSocketServerProtocolHandler.HandshakeComplete) evt).requestHeaders();
      if (headers.contains(BootstrapProtocol.DIALECT_HEADER)) {
        speakOurs(ctx);
      } else {
        challengeLater =
            ctx.executor()
                .schedule(
                    () -> {
                      if (dialect == Dialect.UNKNOWN && ctx.channel().isActive()) {
                        speakOurs(ctx);
                      }
                    },
                    BootstrapProtocol.UNMARKED_CHALLENGE_DELAY_MILLIS,
                    TimeUnit.MILLISECONDS);
      }
      return;
    }
    if (evt instanceof Replaced replaced) {
      replaced(ctx, replaced.previous());
      return;
    }
    if (evt instanceof Displaced displaced) {
      displaced(ctx, displaced.previous());
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
    if (!(msg instanceof ClientFrame) && !(msg instanceof RustClientFrame)) {
      ctx.fireChannelRead(msg);
      return;
    }
    state.metrics.framesIn.increment();
    if (closing) {
      return;
    }
    if (dialect == Dialect.UNKNOWN) {
      // A client that speaks first is not waiting for a challenge: no challenge, then.
      cancelChallenge();
      dialect = msg instanceof RustClientFrame ? Dialect.RUST : Dialect.OURS;
    }
    if (!frames.tryTake()) {
      strike(
          ctx,
          ErrorCode.RATE_LIMITED,
          "too many frames; slow down",
          msg instanceof ClientFrame f ? idOf(f) : null);
      return;
    }
    if (dialect == Dialect.RUST) {
      rustFrame(ctx, msg);
      return;
    }
    if (!(msg instanceof ClientFrame frame)) {
      strike(
          ctx,
          ErrorCode.UNKNOWN_TYPE,
          "that is a frame of the Rust Parlance's dialect; this connection speaks ours",
          null);
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
    } else if (frame instanceof MailClientFrame mail) {
      mail(ctx, mail);
    } else if (frame instanceof RelayFrames.Request request) {
      if (requireRegistration(ctx, request.id())) {
        RelayRoute.request(ctx, state, registration, request);
      }
    } else if (frame instanceof PunchFrames.Request request) {
      if (requireRegistration(ctx, request.id())) {
        PunchRoute.request(ctx, state, registration, request);
      }
    } else if (frame instanceof RelayFrames.Join) {
      strike(ctx, ErrorCode.UNKNOWN_TYPE, "relay_join belongs on " + RelayFrames.PATH, null);
    }
  }

  /** A mailbox frame: served by the mailbox, for a registration that proved its key. */
  private void mail(ChannelHandlerContext ctx, MailClientFrame mail) {
    if (state.mailbox == null) {
      error(ctx, ErrorCode.NO_MAILBOX, "this server keeps no mailbox", mail.id());
      return;
    }
    if (!requireRegistration(ctx, mail.id())) {
      return;
    }
    state.mailbox.handle(
        ctx.executor(),
        registration.id(),
        registration.key(),
        mail,
        new MailboxService.Replies() {
          @Override
          public void reply(ServerFrame frame) {
            if (ctx.channel().isActive()) {
              RegistryHandler.this.reply(ctx, frame);
            }
          }

          @Override
          public void error(String code, String message, String id) {
            if (ctx.channel().isActive()) {
              RegistryHandler.this.error(ctx, code, message, id);
            }
          }
        });
  }

  private void register(ChannelHandlerContext ctx, ClientFrame.Register register) {
    if (claiming) {
      error(ctx, ErrorCode.ALREADY_REGISTERED, "a registration is under way; wait for it", null);
      return;
    }
    if (registration != null) {
      error(
          ctx,
          ErrorCode.ALREADY_REGISTERED,
          "this connection holds '" + registration.nickname() + "'; unregister first",
          null);
      return;
    }
    if (!takeRegistrationToken(ctx)) {
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
    if (probing) {
      error(ctx, ErrorCode.ALREADY_REGISTERED, "a registration is in progress", null);
      return;
    }
    InetAddress clientIp = clientIp(ctx);
    if (register.claimsIdentity()) {
      // Like STUN: tell the peer whether a connection back to it works, before it is listed.
      probing = true;
      state
          .probe
          .probe(ctx.channel(), new InetSocketAddress(clientIp, register.tcpPort()))
          .thenAccept(
              reachable -> {
                probing = false;
                if (ctx.channel().isActive() && !closing && registration == null) {
                  register(ctx, register, clientIp, reachable);
                }
              });
      return;
    }
    register(ctx, register, clientIp, null);
  }

  private void register(
      ChannelHandlerContext ctx,
      ClientFrame.Register register,
      InetAddress clientIp,
      Boolean reachable) {
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
            register.sig(),
            reachable);
    claim(ctx, entry, () -> registered(ctx, entry, register.wantsEvents(), reachable));
  }

  /** The claim succeeded: answer, and subscribe the connection to events if it asked. */
  private void registered(
      ChannelHandlerContext ctx, PeerEntry entry, boolean wantsEvents, Boolean reachable) {
    ServerFrame.Registered registered =
        new ServerFrame.Registered(
            entry.nickname(), entry.toPeerInfo().address(), state.registry.size(), reachable);
    if (!wantsEvents) {
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

  /**
   * Claims the entry's nickname (at once on one server, later through a shared store), tells the
   * client why not if it is reserved for another key or held by another peer (a plain holder gives
   * way to a keyed entry), and runs {@code onClaimed} on this connection's loop once it holds it.
   */
  private void claim(ChannelHandlerContext ctx, PeerEntry entry, Runnable onClaimed) {
    // Known as a holder before it holds, so a takeover racing with this registration finds it.
    state.holders.put(entry.owner(), ctx.channel());
    claiming = true;
    state
        .claims
        .claim(entry)
        .whenComplete(
            (claim, failure) -> {
              if (ctx.executor().inEventLoop()) {
                claimed(ctx, entry, claim, failure, onClaimed);
              } else {
                ctx.executor().execute(() -> claimed(ctx, entry, claim, failure, onClaimed));
              }
            });
  }

  private void claimed(
      ChannelHandlerContext ctx,
      PeerEntry entry,
      NicknameClaims.Claim claim,
      Throwable failure,
      Runnable onClaimed) {
    claiming = false;
    boolean identified = entry.id() != null;
    if (failure != null) {
      state.holders.remove(entry.owner(), ctx.channel());
      LOG.warn(
          "[id: 0x{}] Could not register '{}': the shared registry did not answer ({})",
          ctx.channel().id().asShortText(),
          entry.nickname(),
          failure.toString());
      error(
          ctx,
          ErrorCode.INTERNAL_ERROR,
          "the server cannot reach its shared registry just now; try again in a few seconds",
          null);
      close(ctx, BootstrapProtocol.CLOSE_TRY_AGAIN_LATER, "registry unavailable");
      return;
    }
    if (claim.held() && (closing || !ctx.channel().isActive())) {
      // The connection went away while the claim was under way: end what it claimed.
      state.holders.remove(entry.owner(), ctx.channel());
      state.claims.release(entry);
      return;
    }
    switch (claim.kind()) {
      case RESERVED -> {
        state.holders.remove(entry.owner(), ctx.channel());
        state.metrics.registrationsTaken.increment();
        error(
            ctx,
            ErrorCode.NICKNAME_TAKEN,
            "the nickname '"
                + entry.nickname()
                + "' belongs to a peer with "
                + (identified ? "another" : "a")
                + " key, who left less than "
                + roundUp(claim.reserved())
                + " ago; it stays reserved for that key; choose another nickname",
            null);
        return;
      }
      case TAKEN -> {
        state.holders.remove(entry.owner(), ctx.channel());
        state.metrics.registrationsTaken.increment();
        error(
            ctx,
            ErrorCode.NICKNAME_TAKEN,
            "the nickname '"
                + entry.nickname()
                + "' is held by another online peer"
                + (identified ? " (with another key)" : ""),
            null);
        return;
      }
      case DISPLACED -> {
        LOG.info(
            "[id: 0x{}] '{}' registered with a key: ended the plain registration that held it",
            ctx.channel().id().asShortText(),
            entry.nickname());
        Channel holder = state.holders.get(claim.previous().owner());
        if (holder != null) {
          holder.pipeline().fireUserEventTriggered(new Displaced(claim.previous()));
        }
        state.metrics.registered.increment();
      }
      case REPLACED -> {
        state.metrics.registrationsReplaced.increment();
        LOG.info(
            "[id: 0x{}] '{}' reconnected: took its nickname over from its older connection",
            ctx.channel().id().asShortText(),
            entry.nickname());
      }
      default -> state.metrics.registered.increment();
    }
    registration = entry;
    LOG.debug(
        "[id: 0x{}] Registered '{}' at {}{}",
        ctx.channel().id().asShortText(),
        entry.nickname(),
        entry.address(),
        identified ? " as " + entry.id() : "");
    onClaimed.run();
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
    lost(
        ctx,
        previous,
        ErrorCode.REPLACED,
        "a newer connection registered '"
            + previous.nickname()
            + "' with the same key; this one is closed",
        "replaced by a newer connection");
  }

  /** A keyed registration took our plain nickname (and already removed it): tell, close. */
  private void displaced(ChannelHandlerContext ctx, PeerEntry previous) {
    lost(
        ctx,
        previous,
        ErrorCode.NICKNAME_TAKEN,
        "a peer that proves its key registered '"
            + previous.nickname()
            + "'; this plain registration of it has ended; choose another nickname",
        "nickname taken by its key holder");
  }

  /** Another registration took this one's nickname: forget it, tell the client why, close. */
  private void lost(
      ChannelHandlerContext ctx, PeerEntry previous, String code, String message, String reason) {
    if (registration == null || !registration.equals(previous)) {
      return;
    }
    state.holders.remove(registration.owner(), ctx.channel());
    state.broadcaster.unsubscribe(ctx.channel());
    registration = null;
    error(ctx, code, message, null);
    close(ctx, BootstrapProtocol.CLOSE_NORMAL, reason);
  }

  private void endRegistration(ChannelHandlerContext ctx) {
    if (registration != null) {
      state.holders.remove(registration.owner(), ctx.channel());
      state.broadcaster.unsubscribe(ctx.channel());
      state.claims.release(registration);
      LOG.debug(
          "[id: 0x{}] Unregistered '{}'",
          ctx.channel().id().asShortText(),
          registration.nickname());
      registration = null;
    }
  }

  /** Our dialect from now on: send the challenge, once. */
  private void speakOurs(ChannelHandlerContext ctx) {
    cancelChallenge();
    if (dialect == Dialect.OURS) {
      return;
    }
    dialect = Dialect.OURS;
    ServerFrame.Challenge challenge = ServerFrame.Challenge.random(state.random);
    nonce = challenge.nonce();
    reply(ctx, challenge);
  }

  private void cancelChallenge() {
    if (challengeLater != null) {
      challengeLater.cancel(false);
      challengeLater = null;
    }
  }

  /** One frame on a connection that speaks the Rust Parlance's dialect. */
  private void rustFrame(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof RustClientFrame.Register register) {
      rustRegister(ctx, register);
    } else if (msg instanceof RustClientFrame.ListPeers) {
      if (requireRustRegistration(ctx)) {
        state.metrics.lists.increment();
        reply(ctx, RustDialect.peerList(state.registry, state.rustIdSalt));
      }
    } else if (msg instanceof RustClientFrame.Heartbeat) {
      requireRustRegistration(ctx);
    } else if (msg instanceof RustClientFrame.Unregister || msg instanceof ClientFrame.Unregister) {
      if (requireRustRegistration(ctx)) {
        endRegistration(ctx);
      }
    } else {
      strike(
          ctx,
          ErrorCode.UNKNOWN_TYPE,
          "this connection speaks the Rust Parlance's dialect: register, list_peers, heartbeat,"
              + " unregister",
          null);
    }
  }

  private void rustRegister(ChannelHandlerContext ctx, RustClientFrame.Register register) {
    if (registration != null || claiming) {
      error(ctx, ErrorCode.ALREADY_REGISTERED, "Already registered; unregister first", null);
      return;
    }
    if (!takeRegistrationToken(ctx)) {
      return;
    }
    InetSocketAddress local;
    try {
      local = HostPort.parse("local_addr", register.localAddr());
    } catch (ProtocolException e) {
      strike(ctx, ErrorCode.INVALID_FIELD, e.getMessage(), null);
      return;
    }
    InetAddress clientIp = clientIp(ctx);
    PeerEntry entry =
        new PeerEntry(
            register.nickname(),
            new InetSocketAddress(clientIp, local.getPort()),
            null,
            ctx.channel().id().asLongText());
    claim(
        ctx,
        entry,
        () ->
            reply(
                ctx,
                new RustServerFrame.Registered(
                    RustDialect.peerId(state.rustIdSalt, entry),
                    HostPort.format(entry.address()))));
  }

  /** Takes one of the client IP's registrations, or refuses (a strike) when none is left. */
  private boolean takeRegistrationToken(ChannelHandlerContext ctx) {
    ServerState.IpState ip = ctx.channel().attr(ServerState.IP_STATE).get();
    if (ip != null && !ip.registrations.tryTake()) {
      state.metrics.registrationsRejected.increment();
      strike(ctx, ErrorCode.RATE_LIMITED, "too many registrations from your address", null);
      return false;
    }
    return true;
  }

  /** The client's IP as the connection limiter found it (behind a proxy), else the socket's. */
  private static InetAddress clientIp(ChannelHandlerContext ctx) {
    InetAddress ip = ctx.channel().attr(ServerState.CLIENT_IP).get();
    return ip != null ? ip : ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress();
  }

  private boolean requireRustRegistration(ChannelHandlerContext ctx) {
    if (registration == null) {
      error(ctx, ErrorCode.NOT_REGISTERED, "Not registered", null);
      return false;
    }
    return true;
  }

  private static String roundUp(Duration d) {
    long minutes = (d.toSeconds() + 59) / 60;
    return minutes >= 120 ? (minutes + 59) / 60 + " h" : minutes + " min";
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    cancelChallenge();
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
      // One line, rate-limited: a client that can provoke it must not flood the log (issue 22).
      String id = ctx.channel().id().asShortText();
      String what = oneLine(cause);
      UNEXPECTED.log(
          more -> LOG.warn("[id: 0x{}] Unexpected error; closing: {}{}", id, what, more));
      LOG.debug("[id: 0x{}] Unexpected error", id, cause);
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

  private void reply(ChannelHandlerContext ctx, BootstrapFrame frame) {
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
    } else if (frame instanceof MailClientFrame m) {
      return m.id();
    } else if (frame instanceof RelayFrames.Request r) {
      return r.id();
    } else if (frame instanceof PunchFrames.Request r) {
      return r.id();
    }
    return null;
  }
}
