package io.parlance.client.internet;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler.ClientHandshakeStateEvent;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.parlance.client.security.Identity;
import io.parlance.protocol.Nickname;
import io.parlance.protocol.ProtocolException;
import io.parlance.protocol.bootstrap.BootstrapProtocol;
import io.parlance.protocol.bootstrap.ClientFrame;
import io.parlance.protocol.bootstrap.ErrorCode;
import io.parlance.protocol.bootstrap.HostPort;
import io.parlance.protocol.bootstrap.MailServerFrame;
import io.parlance.protocol.bootstrap.PeerInfo;
import io.parlance.protocol.bootstrap.PunchFrames;
import io.parlance.protocol.bootstrap.RelayFrames;
import io.parlance.protocol.bootstrap.RustClientFrame;
import io.parlance.protocol.bootstrap.RustPeerInfo;
import io.parlance.protocol.bootstrap.RustServerFrame;
import io.parlance.protocol.bootstrap.ServerFrame;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection's side of the bootstrap protocol: registers once the handshake is done (with an
 * identity, once the server's challenge is in, signing it), pages through the online peers, applies
 * join/leave events, answers lookups, pings a quiet server and drops a silent one, and remembers
 * why the connection ended.
 *
 * <p>A server that sends no challenge within {@link BootstrapProtocol#CHALLENGE_WAIT_MILLIS} of the
 * handshake is taken for a Rust Parlance one: the handler then registers in that dialect (nickname
 * and {@code local_addr}, no identity), polls {@code list_peers} and heartbeats at the Rust
 * client's intervals, and tells the user which kind of server it is.
 */
final class BootstrapClientHandler extends ChannelInboundHandlerAdapter {

  private static final Logger LOG = LoggerFactory.getLogger(BootstrapClientHandler.class);
  private static final String PAGE_ID = "page";

  /** The most of a server's error message shown to the user. */
  private static final int MAX_SHOWN_ERROR_CHARS = 300;

  private final BootstrapClient client;
  private final Map<String, CompletableFuture<RelayFrames.Ready>> relays = new HashMap<>();
  private final Map<String, CompletableFuture<Optional<InetSocketAddress>>> lookups =
      new HashMap<>();

  /** Requests answered by a frame with their id (the mailbox's), by request id. */
  private final Map<String, CompletableFuture<ServerFrame>> requests = new HashMap<>();

  /** Nicknames seen online since registering, until the listing is complete. */
  private Set<String> listing;

  private ChannelHandlerContext ctx;
  private boolean handshakeDone;
  private boolean registerSent;
  private ScheduledFuture<?> challengeTimeout;
  private boolean registered;
  private long nextId;
  private String closeReason;
  private String closeCode;
  private CompletableFuture<Void> unregistered;

  /** The server speaks the Rust Parlance's dialect. */
  private boolean rust;

  /** The server sent a challenge: it speaks ours. */
  private boolean challengeSeen;

  private String rustPeerId;
  private ScheduledFuture<?> rustPoll;
  private ScheduledFuture<?> rustHeartbeat;

  BootstrapClientHandler(BootstrapClient client) {
    this.client = client;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  boolean handshakeDone() {
    return handshakeDone;
  }

  String closeReason() {
    return closeReason != null
        ? closeReason
        : "lost the connection to the bootstrap server " + client.options().server();
  }

  String closeCode() {
    return closeCode;
  }

  void lookup(String nickname, CompletableFuture<Optional<InetSocketAddress>> result) {
    if (rust) {
      // A Rust server has no lookup: answer from the last list it sent.
      result.complete(Optional.ofNullable(client.peers().get(nickname)));
      return;
    }
    String id = "l" + nextId++;
    lookups.put(id, result);
    result.whenComplete((r, e) -> ctx.executor().execute(() -> lookups.remove(id)));
    ctx.writeAndFlush(new ClientFrame.Lookup(nickname, id));
  }

  /**
   * Sends a request whose answer carries its id: the future completes with the answer, or fails
   * with the server's error for it.
   */
  void request(Function<String, ClientFrame> frame, CompletableFuture<ServerFrame> result) {
    if (rust || !registered) {
      result.completeExceptionally(
          new BootstrapException(
              BootstrapException.NOT_CONNECTED,
              "not registered with the bootstrap server " + client.options().server()));
      return;
    }
    String id = "r" + nextId++;
    requests.put(id, result);
    result.whenComplete((r, e) -> ctx.executor().execute(() -> requests.remove(id)));
    ctx.writeAndFlush(frame.apply(id));
  }

  /** Sends {@code relay_request}; the future completes with the server's {@code relay_ready}. */
  void requestRelay(String nickname, String peerId, CompletableFuture<RelayFrames.Ready> result) {
    if (rust) {
      result.completeExceptionally(
          new BootstrapException(
              RelayFrames.REFUSED, "a Rust Parlance bootstrap server does not relay"));
      return;
    }
    String id = "r" + nextId++;
    relays.put(id, result);
    result.whenComplete((r, e) -> ctx.executor().execute(() -> relays.remove(id)));
    ctx.writeAndFlush(new RelayFrames.Request(nickname, peerId, id));
  }

  /** Sends {@code unregister}; the future completes when the server confirms it. */
  CompletableFuture<Void> unregister() {
    unregistered = new CompletableFuture<>();
    if (rust) {
      // {"type":"unregister"} in both dialects; a Rust server does not answer it.
      CompletableFuture<Void> done = unregistered;
      ctx.writeAndFlush(new RustClientFrame.Unregister()).addListener(f -> done.complete(null));
      return done;
    }
    ctx.writeAndFlush(new ClientFrame.Unregister("bye"));
    return unregistered;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt == ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
      handshakeDone = true;
      client.onConnected();
      // Our server's challenge follows the handshake at once; a server that sends none is a Rust
      // Parlance one, which says nothing until spoken to.
      challengeTimeout =
          ctx.executor()
              .schedule(
                  this::registerWithoutChallenge,
                  BootstrapProtocol.CHALLENGE_WAIT_MILLIS,
                  TimeUnit.MILLISECONDS);
    } else if (evt == ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT) {
      closeWith(
          "the bootstrap server "
              + client.options().server()
              + " did not complete the WebSocket handshake in time",
          BootstrapClient.HANDSHAKE_FAILED);
    } else if (evt instanceof IdleStateEvent idle) {
      if (idle.state() == IdleState.WRITER_IDLE && handshakeDone) {
        ctx.writeAndFlush(new PingWebSocketFrame());
      } else if (idle.state() == IdleState.READER_IDLE) {
        closeWith(
            "the bootstrap server "
                + client.options().server()
                + " stopped answering (silent for "
                + client.options().deadAfter().toSeconds()
                + " s)",
            null);
      }
    } else {
      super.userEventTriggered(ctx, evt);
    }
  }

  private void registerWithoutChallenge() {
    if (registerSent || !ctx.channel().isActive()) {
      return;
    }
    registerSent = true;
    rust = true;
    BootstrapClientOptions o = client.options();
    InetAddress localIp = ((InetSocketAddress) ctx.channel().localAddress()).getAddress();
    String localAddr = HostPort.format(new InetSocketAddress(localIp, o.tcpPort()));
    LOG.info(
        "The bootstrap server {} sent no challenge: speaking the Rust Parlance's dialect,"
            + " registering '{}' as a plain peer at {}",
        o.server(),
        o.nickname(),
        localAddr);
    ctx.writeAndFlush(new RustClientFrame.Register(o.nickname(), localAddr));
  }

  /** Registered with a Rust server: poll for peers and heartbeat as the Rust client does. */
  private void onRustRegistered(RustServerFrame.Registered r) {
    registered = true;
    rustPeerId = r.peerId();
    InetSocketAddress self;
    try {
      self = HostPort.parse("public_addr", r.publicAddr());
    } catch (ProtocolException e) {
      self =
          new InetSocketAddress(
              ((InetSocketAddress) ctx.channel().localAddress()).getAddress(),
              client.options().tcpPort());
    }
    // Said once registered, so that an older server of ours, which refuses the Rust registration,
    // is never called a Rust one.
    client.onServerKind(
        "the bootstrap server "
            + client.options().server()
            + " speaks the Rust Parlance's dialect: '"
            + client.options().nickname()
            + "' is registered there as a plain peer, not bound to this peer's key, and peers are"
            + " found by asking it every "
            + BootstrapProtocol.RUST_LIST_INTERVAL_MILLIS / 1000
            + " s");
    client.onRegistered(self);
    rustPoll =
        ctx.executor()
            .scheduleAtFixedRate(
                () -> ctx.writeAndFlush(new RustClientFrame.ListPeers()),
                0,
                BootstrapProtocol.RUST_LIST_INTERVAL_MILLIS,
                TimeUnit.MILLISECONDS);
    rustHeartbeat =
        ctx.executor()
            .scheduleAtFixedRate(
                () -> ctx.writeAndFlush(new RustClientFrame.Heartbeat()),
                BootstrapProtocol.RUST_HEARTBEAT_INTERVAL_MILLIS,
                BootstrapProtocol.RUST_HEARTBEAT_INTERVAL_MILLIS,
                TimeUnit.MILLISECONDS);
  }

  /** A whole list from a Rust server: everyone in it is online, everyone else has left. */
  private void onRustPeerList(RustServerFrame.PeerList list) {
    Set<String> online = new HashSet<>();
    for (RustPeerInfo p : list.peers()) {
      if (p.peerId().equals(rustPeerId) || !Nickname.isValid(p.nickname())) {
        continue;
      }
      InetSocketAddress address = rustAddress(p);
      if (address != null && online.add(p.nickname())) {
        client.peerOnline(new PeerInfo(p.nickname(), address));
      }
    }
    client.reconcile(online);
  }

  /** Where a Rust client would send to: {@code public_addr}, else {@code local_addr}. */
  private static InetSocketAddress rustAddress(RustPeerInfo p) {
    for (String text : new String[] {p.publicAddr(), p.localAddr()}) {
      try {
        return HostPort.parse("public_addr", text);
      } catch (ProtocolException e) {
        // try the next one
      }
    }
    return null;
  }

  /** Sends the registration: signed for the challenge's nonce, or plain when it is null. */
  private void register(String nonce) {
    if (registerSent) {
      return;
    }
    registerSent = true;
    if (challengeTimeout != null) {
      challengeTimeout.cancel(false);
    }
    BootstrapClientOptions o = client.options();
    List<String> addresses = o.addresses().isEmpty() ? null : o.addresses();
    Identity identity = o.identity();
    if (identity == null || nonce == null) {
      ctx.writeAndFlush(new ClientFrame.Register(o.nickname(), o.tcpPort(), addresses));
      return;
    }
    ClientFrame.Register unsigned =
        new ClientFrame.Register(
            o.nickname(),
            o.tcpPort(),
            addresses,
            null,
            identity.id().value(),
            identity.encodedPublicKey(),
            o.caps().isEmpty() ? null : o.caps(),
            null);
    String sig = Base64.getEncoder().encodeToString(identity.sign(unsigned.signedPayload(nonce)));
    ctx.writeAndFlush(unsigned.withSig(sig));
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof CloseWebSocketFrame close) {
      int status = close.statusCode();
      String text = close.reasonText();
      close.release();
      closeWith(
          status == BootstrapProtocol.CLOSE_GOING_AWAY
              ? "the bootstrap server " + client.options().server() + " is going away (restarting?)"
              : "the bootstrap server closed the connection (" + status + " " + text + ")",
          null);
      return;
    }
    if (msg instanceof RustServerFrame rustFrame) {
      onRustFrame(rustFrame);
      return;
    }
    if (!(msg instanceof ServerFrame frame)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (frame instanceof ServerFrame.Challenge challenge) {
      challengeSeen = true;
      if (rust && !registered) {
        // Our server after all, only slow: it refuses the Rust registration (unknown_type, ignored
        // below), and gets ours now.
        LOG.info(
            "The challenge from {} came late: speaking our dialect", client.options().server());
        rust = false;
        registerSent = false;
      }
      if (!rust) {
        // Our server: a plain peer registers plain, a peer with an identity signs the nonce.
        register(client.options().identity() != null ? challenge.nonce() : null);
      }
    } else if (frame instanceof ServerFrame.Registered r) {
      registered = true;
      listing = new HashSet<>();
      client.onRegistered(parse(r.address()), r.reachable());
    } else if (frame instanceof ServerFrame.Peers page) {
      onPage(page);
    } else if (frame instanceof ServerFrame.PeersChanged changed) {
      for (PeerInfo left : changed.left()) {
        if (listing != null) {
          listing.remove(left.nickname());
        }
        client.peerOffline(left.nickname());
      }
      for (PeerInfo joined : changed.joined()) {
        online(joined);
      }
    } else if (frame instanceof ServerFrame.LookupResult result) {
      CompletableFuture<Optional<InetSocketAddress>> f = lookups.remove(result.id());
      if (f != null) {
        f.complete(Optional.ofNullable(result.peer()).map(PeerInfo::socketAddress));
      }
    } else if (frame instanceof ServerFrame.Unregistered) {
      registered = false;
      if (unregistered != null) {
        unregistered.complete(null);
      }
    } else if (frame instanceof MailServerFrame mail) {
      CompletableFuture<ServerFrame> f = mail.id() == null ? null : requests.remove(mail.id());
      if (f != null) {
        f.complete(mail);
      }
    } else if (frame instanceof ServerFrame.Error error) {
      onError(error);
    } else if (frame instanceof RelayFrames.Ready ready) {
      CompletableFuture<RelayFrames.Ready> f =
          ready.id() == null ? null : relays.remove(ready.id());
      if (f != null) {
        f.complete(ready);
      }
    } else if (frame instanceof RelayFrames.Offer offer) {
      client.onRelayOffer(offer);
    } else if (frame instanceof PunchFrames.Ready ready) {
      CompletableFuture<ServerFrame> f = ready.id() == null ? null : requests.remove(ready.id());
      if (f != null) {
        f.complete(ready);
      }
    } else if (frame instanceof PunchFrames.Offer offer) {
      client.onPunchOffer(offer);
    } else if (frame instanceof PunchFrames.Go go) {
      client.onPunchGo(go);
    }
  }

  private void onRustFrame(RustServerFrame frame) {
    if (frame instanceof RustServerFrame.Registered r) {
      if (rust && !registered) {
        onRustRegistered(r);
      }
    } else if (frame instanceof RustServerFrame.PeerList list) {
      if (rust && registered) {
        onRustPeerList(list);
      }
    } else if (frame instanceof RustServerFrame.Error error) {
      // No code: the Rust server's only errors are a refused frame and "Not registered".
      LOG.debug("Bootstrap server error: {}", error.message());
      String text = error.message();
      if (text.length() > MAX_SHOWN_ERROR_CHARS) {
        text = text.substring(0, MAX_SHOWN_ERROR_CHARS) + "…";
      }
      client.onServerError(
          "server_error", "the bootstrap server " + client.options().server() + " says: " + text);
    }
  }

  private void onPage(ServerFrame.Peers page) {
    if (page.id() != null && !page.id().startsWith(PAGE_ID)) {
      return;
    }
    for (PeerInfo peer : page.peers()) {
      online(peer);
    }
    if (page.nextCursor() != null) {
      requestPage(page.nextCursor());
    } else if (listing != null) {
      client.reconcile(listing);
      listing = null;
    }
  }

  private void requestPage(String cursor) {
    ctx.writeAndFlush(
        new ClientFrame.ListPeers(cursor, BootstrapProtocol.MAX_PAGE, PAGE_ID + ":" + cursor));
  }

  private void online(PeerInfo peer) {
    if (listing != null) {
      listing.add(peer.nickname());
    }
    client.peerOnline(peer);
  }

  private void onError(ServerFrame.Error error) {
    if (challengeSeen && !registered && ErrorCode.UNKNOWN_TYPE.equals(error.code())) {
      // Our server refusing the Rust registration we sent before its late challenge.
      LOG.debug("Bootstrap server refused our Rust-dialect registration: {}", error.message());
      return;
    }
    if (rust
        && !registered
        && (ErrorCode.MALFORMED_FRAME.equals(error.code())
            || ErrorCode.UNKNOWN_TYPE.equals(error.code()))) {
      // Our dialect's complaint about the Rust registration: a server of ours from before
      // challenges. Register plain in our dialect after all.
      rust = false;
      BootstrapClientOptions o = client.options();
      LOG.info("The bootstrap server {} speaks our dialect without challenges", o.server());
      ctx.writeAndFlush(
          new ClientFrame.Register(
              o.nickname(), o.tcpPort(), o.addresses().isEmpty() ? null : o.addresses()));
      return;
    }
    String id = error.id();
    if (id != null && relays.containsKey(id)) {
      relays
          .remove(id)
          .completeExceptionally(new BootstrapException(error.code(), error.message()));
      return;
    }
    if (id != null && lookups.containsKey(id)) {
      lookups
          .remove(id)
          .completeExceptionally(new BootstrapException(error.code(), error.message()));
      return;
    }
    if (id != null && requests.containsKey(id)) {
      requests
          .remove(id)
          .completeExceptionally(new BootstrapException(error.code(), error.message()));
      return;
    }
    if (id != null && id.startsWith(PAGE_ID + ":") && ErrorCode.RATE_LIMITED.equals(error.code())) {
      String cursor = id.substring(PAGE_ID.length() + 1);
      ctx.executor().schedule(() -> requestPage(cursor), 1, TimeUnit.SECONDS);
      return;
    }
    if (ErrorCode.REPLACED.equals(error.code())
        || ErrorCode.BAD_SIGNATURE.equals(error.code()) && !registered) {
      // Retrying would only repeat it: another copy of our identity is online (and would be
      // replaced in turn), or the server does not accept our identity.
      String message =
          ErrorCode.REPLACED.equals(error.code())
              ? "another peer with this identity registered '"
                  + client.options().nickname()
                  + "' on "
                  + client.options().server()
                  + "; is this profile running elsewhere? Not reconnecting"
              : "the bootstrap server "
                  + client.options().server()
                  + " refused our identity: "
                  + error.message();
      client.onIdentityRefused(error.code(), message);
      closeWith(message, null);
      return;
    }
    if (ErrorCode.NICKNAME_TAKEN.equals(error.code()) && !registered) {
      client.onNicknameTaken(error.message());
      closeWith(error.message(), null);
      return;
    }
    LOG.debug("Bootstrap server error {}: {}", error.code(), error.message());
    client.onServerError(error.code(), error.message());
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof ProtocolException e) {
      // A frame we cannot read: skip it, as unknown discovery datagrams are skipped.
      LOG.debug("Skipping a bad frame from the bootstrap server: {}", e.getMessage());
      return;
    }
    if (cause instanceof WebSocketClientHandshakeException h
        && h.response() != null
        && h.response().status().code() == 429) {
      closeWith(
          "the bootstrap server refused the connection: too many connections from this address",
          ErrorCode.TOO_MANY_CONNECTIONS);
      return;
    }
    if (!(cause instanceof IOException)) {
      LOG.debug("Bootstrap connection failed", cause);
    }
    closeWith(client.describe(cause), handshakeDone ? null : BootstrapClient.HANDSHAKE_FAILED);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) throws Exception {
    for (ScheduledFuture<?> timer :
        new ScheduledFuture<?>[] {challengeTimeout, rustPoll, rustHeartbeat}) {
      if (timer != null) {
        timer.cancel(false);
      }
    }
    for (CompletableFuture<Optional<InetSocketAddress>> f : lookups.values()) {
      f.completeExceptionally(
          new BootstrapException(
              BootstrapException.NOT_CONNECTED, "the bootstrap connection closed"));
    }
    lookups.clear();
    for (CompletableFuture<ServerFrame> f : List.copyOf(requests.values())) {
      f.completeExceptionally(
          new BootstrapException(
              BootstrapException.NOT_CONNECTED, "the bootstrap connection closed"));
    }
    requests.clear();
    if (unregistered != null) {
      unregistered.complete(null);
    }
    super.channelInactive(ctx);
  }

  private void closeWith(String reason, String code) {
    if (closeReason == null) {
      closeReason = reason;
      closeCode = code;
    }
    ctx.close();
  }

  private static InetSocketAddress parse(String address) {
    return HostPort.parse("address", address);
  }
}
