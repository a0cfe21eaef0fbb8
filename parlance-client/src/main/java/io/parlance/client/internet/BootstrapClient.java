package io.parlance.client.internet;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;
import io.parlance.protocol.Nickname;
import io.parlance.protocol.bootstrap.BootstrapProtocol;
import io.parlance.protocol.bootstrap.ClientFrame;
import io.parlance.protocol.bootstrap.HostPort;
import io.parlance.protocol.bootstrap.PeerInfo;
import io.parlance.protocol.bootstrap.PunchFrames;
import io.parlance.protocol.bootstrap.RelayFrames;
import io.parlance.protocol.bootstrap.ServerFrame;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Function;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this peer registered with a bootstrap server and reports who is online there.
 *
 * <p>It connects over {@code ws://} or {@code wss://}, registers the nickname and TCP port (with an
 * {@link BootstrapClientOptions#identity() identity}, signing the server's challenge on every
 * connection), follows the server's pages of online peers and its join/leave events, checks each
 * peer's identity itself, and reports them to a {@link BootstrapListener}. When the server is down
 * or restarts it says so once, keeps the peers it knows, reconnects with exponential backoff and
 * jitter, and registers again. A nickname held by someone else at the first registration is fatal
 * unless {@link BootstrapClientOptions#retryWhenNicknameTaken()} says otherwise.
 *
 * <p>All its work runs on one event-loop thread of its own, so listener calls never overlap.
 */
public final class BootstrapClient implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(BootstrapClient.class);

  /** Code reported to {@link BootstrapListener#onError} when the server cannot be reached. */
  public static final String UNREACHABLE = "unreachable";

  /**
   * Code reported to {@link BootstrapListener#onError} when the server turns out to speak the Rust
   * Parlance's dialect: not an error, but something the user should know (the nickname is not bound
   * to the key there, and peers are found by polling).
   */
  public static final String RUST_DIALECT = "rust_dialect";

  /** Code reported when the URL does not lead to a bootstrap server (HTTP error, TLS failure). */
  public static final String HANDSHAKE_FAILED = "handshake_failed";

  /** The options for the server in use; another of {@link #servers} after a failover. */
  private volatile BootstrapClientOptions options;

  /** The servers of the cluster, the first given first. */
  private final java.util.List<java.net.URI> servers;

  private int serverIndex;
  private final BootstrapListener listener;
  private final EventLoopGroup group;
  private final EventLoop loop;
  private final SslContext sslContext;
  private final Backoff backoff;

  /** Known peers; written only on {@link #loop}. */
  private final Map<String, RemotePeer> known = new HashMap<>();

  private volatile Map<String, InetSocketAddress> snapshot = Map.of();
  private volatile Channel channel;
  private volatile BootstrapClientHandler handler;
  private volatile boolean closed;
  private volatile boolean registered;
  private boolean everRegistered;
  private boolean outageReported;
  private boolean stopped;
  private ScheduledFuture<?> reconnect;

  private BootstrapClient(
      BootstrapClientOptions options, BootstrapListener listener, SslContext sslContext) {
    this.options = options;
    this.servers = new java.util.ArrayList<>();
    servers.add(options.server());
    servers.addAll(options.fallbacks());
    this.listener = listener;
    this.sslContext = sslContext;
    this.group = new NioEventLoopGroup(1, new DefaultThreadFactory("bootstrap-client", true));
    this.loop = group.next();
    this.backoff =
        new Backoff(
            options.minBackoff(), options.maxBackoff(), ThreadLocalRandom.current()::nextDouble);
  }

  /**
   * Starts connecting in the background; progress is reported to the listener.
   *
   * @param options the settings
   * @param listener told of connection changes and peers
   * @return the running client; close it to unregister
   * @throws SSLException if the default TLS context for {@code wss://} cannot be made
   */
  public static BootstrapClient start(BootstrapClientOptions options, BootstrapListener listener)
      throws SSLException {
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(listener, "listener");
    SslContext ssl = null;
    if (options.secure()) {
      ssl =
          options.sslContext() != null
              ? options.sslContext()
              : SslContextBuilder.forClient().build();
    }
    BootstrapClient client = new BootstrapClient(options, listener, ssl);
    client.loop.execute(client::connect);
    return client;
  }

  /**
   * Returns the settings.
   *
   * @return the options
   */
  public BootstrapClientOptions options() {
    return options;
  }

  /**
   * Returns the peers learned from the server (they stay while the server is unreachable).
   *
   * @return nickname to TCP address, a snapshot
   */
  public Map<String, InetSocketAddress> peers() {
    return snapshot;
  }

  /**
   * Tells whether the nickname is registered now.
   *
   * @return true while registered
   */
  public boolean isRegistered() {
    return registered;
  }

  /**
   * Asks the server where a peer is.
   *
   * @param nickname the nickname
   * @return its address, or empty if it is not online; fails with {@link BootstrapException} when
   *     not registered or the server refuses, and times out after the request timeout
   */
  public CompletableFuture<Optional<InetSocketAddress>> lookup(String nickname) {
    Nickname.requireValid(nickname);
    return onHandler(true, (h, result) -> h.lookup(nickname, result));
  }

  /**
   * Sends a request whose answer carries its request id, such as the mailbox's frames.
   *
   * @param frame makes the frame from the request id it must carry
   * @return the answer; fails with {@link BootstrapException} (the server's error code, or {@link
   *     BootstrapException#NOT_CONNECTED}) and times out after the request timeout
   */
  public CompletableFuture<ServerFrame> request(Function<String, ClientFrame> frame) {
    Objects.requireNonNull(frame, "frame");
    return onHandler(true, (h, result) -> h.request(frame, result));
  }

  /**
   * Asks the server to pair us with a registered peer for a relayed session (see {@link
   * RelayFrames}); only works while registered with an identity, for a peer that registered the
   * {@value RelayFrames#CAP} capability.
   *
   * @param nickname the peer's nickname
   * @param peerId the peer's id
   * @return completes with our token, or fails with a {@link BootstrapException} saying why not
   */
  public CompletableFuture<RelayFrames.Ready> requestRelay(String nickname, String peerId) {
    return onHandler(false, (h, result) -> h.requestRelay(nickname, peerId, result));
  }

  void onRelayOffer(RelayFrames.Offer offer) {
    listener.onRelayOffer(offer);
  }

  /**
   * Asks the server to coordinate a hole punch with a registered peer (see {@link PunchFrames});
   * only works while registered with an identity, for a peer that registered the {@value
   * PunchFrames#CAP} capability on the same server.
   *
   * @param nickname the peer's nickname
   * @param peerId the peer's id
   * @return completes with our token, or fails with a {@link BootstrapException} saying why not
   */
  public CompletableFuture<PunchFrames.Ready> requestPunch(String nickname, String peerId) {
    return request(id -> new PunchFrames.Request(nickname, peerId, id))
        .thenApply(
            frame -> {
              if (frame instanceof PunchFrames.Ready ready) {
                return ready;
              }
              throw new java.util.concurrent.CompletionException(
                  new BootstrapException(
                      PunchFrames.REFUSED,
                      "the server answered the punch request with something else"));
            });
  }

  void onPunchOffer(PunchFrames.Offer offer) {
    listener.onPunchOffer(offer);
  }

  void onPunchGo(PunchFrames.Go go) {
    listener.onPunchGo(go);
  }

  /**
   * Runs a request on the handler of the connection, on its event loop: it fails at once with
   * {@link BootstrapException#NOT_CONNECTED} when there is none (or, if it must be, we are not
   * registered), and times out after the request timeout.
   */
  private <T> CompletableFuture<T> onHandler(
      boolean mustBeRegistered, BiConsumer<BootstrapClientHandler, CompletableFuture<T>> send) {
    CompletableFuture<T> result = new CompletableFuture<>();
    loop.execute(
        () -> {
          BootstrapClientHandler h = handler;
          if (h == null || (mustBeRegistered && !registered)) {
            result.completeExceptionally(
                new BootstrapException(
                    BootstrapException.NOT_CONNECTED,
                    "not registered with the bootstrap server " + options.server()));
          } else {
            send.accept(h, result);
          }
        });
    return LoopTimeout.within(loop, result, options.requestTimeout().toMillis());
  }

  private void connect() {
    if (closed || stopped) {
      return;
    }
    LOG.debug("Connecting to {}", options.server());
    BootstrapClientHandler h = new BootstrapClientHandler(this);
    Bootstrap b =
        new Bootstrap()
            .group(loop)
            .channel(NioSocketChannel.class)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) options.connectTimeout().toMillis())
            .option(ChannelOption.TCP_NODELAY, true)
            .handler(new BootstrapClientInitializer(options, sslContext, h));
    ChannelFuture f = b.connect(options.server().getHost(), options.port());
    handler = h;
    channel = f.channel();
    f.addListener(
        done -> {
          if (!done.isSuccess()) {
            connectionLost(describe(done.cause()), UNREACHABLE);
          }
        });
    f.channel()
        .closeFuture()
        .addListener(
            done -> {
              if (f.isSuccess()) {
                connectionLost(h.closeReason(), h.closeCode());
              }
            });
  }

  // Called on the loop by the handler.

  void onConnected() {
    listener.onConnected(options.server());
  }

  void onRegistered(InetSocketAddress self) {
    onRegistered(self, null);
  }

  void onRegistered(InetSocketAddress self, Boolean reachable) {
    registered = true;
    everRegistered = true;
    outageReported = false;
    backoff.reset();
    LOG.info(
        "Registered '{}' with {} as {}",
        options.nickname(),
        options.server(),
        HostPort.format(self));
    listener.onRegistered(self, reachable);
  }

  void peerOnline(PeerInfo info) {
    if (info.nickname().equals(options.nickname())) {
      return;
    }
    RemotePeer peer = RemotePeer.of(info);
    listener.onPeerReachability(peer, info.reachable());
    RemotePeer old = known.put(peer.nickname(), peer);
    if (!peer.equals(old)) {
      updateSnapshot();
      listener.onPeerJoined(peer);
    }
  }

  void peerOffline(String nickname) {
    RemotePeer old = known.remove(nickname);
    if (old != null) {
      updateSnapshot();
      listener.onPeerLeft(nickname, old.address());
    }
  }

  private void updateSnapshot() {
    Map<String, InetSocketAddress> addresses = new HashMap<>();
    known.forEach((nickname, peer) -> addresses.put(nickname, peer.address()));
    snapshot = Map.copyOf(addresses);
  }

  /** After a full listing: peers known from before that are not online any more have left. */
  void reconcile(Set<String> online) {
    for (String nickname : Set.copyOf(known.keySet())) {
      if (!online.contains(nickname)) {
        peerOffline(nickname);
      }
    }
  }

  void onServerError(String code, String message) {
    listener.onError(code, message);
  }

  /** The server speaks another dialect than ours; the user is told so once per connection. */
  void onServerKind(String message) {
    listener.onError(RUST_DIALECT, message);
  }

  /** The server says the nickname is held; gives up unless it may be our own stale registration. */
  void onNicknameTaken(String message) {
    boolean retry = everRegistered || options.retryWhenNicknameTaken();
    if (!outageReported) {
      listener.onError(
          "nickname_taken",
          "the nickname '"
              + options.nickname()
              + "' is already registered on "
              + options.server()
              + (retry ? "; retrying" : "; choose another nickname"));
      outageReported = true;
    }
    if (!retry) {
      stopped = true;
    }
  }

  /** The server refused our identity, or a newer connection of it took our nickname: give up. */
  void onIdentityRefused(String code, String message) {
    stopped = true;
    listener.onError(code, message);
  }

  private void connectionLost(String reason, String code) {
    boolean wasRegistered = registered;
    registered = false;
    handler = null;
    if (closed) {
      return;
    }
    if (stopped) {
      // The error that stopped us was told (onError), saying what to do; this close is its end.
      LOG.debug("{}; not retrying", reason);
      return;
    }
    Duration delay = backoff.next();
    if (servers.size() > 1) {
      // Fail over: the next server of the cluster, at once after a lost registration (the peer is
      // registered again within seconds; its key re-claims its nickname there).
      serverIndex = (serverIndex + 1) % servers.size();
      options = options.withServer(servers.get(serverIndex));
      if (wasRegistered) {
        backoff.reset();
        delay = options.minBackoff();
        LOG.info("Failing over to {}", options.server());
      }
    }
    if (!outageReported) {
      // One status per outage, one line: the reason says whether we lost the server or never
      // reached it ("... is unreachable (...)"). A refusal before registering (a handshake that
      // failed, too many connections) is told as the error a person must fix, not once as a
      // refusal and again as a disconnection; an unreachable server is a disconnection.
      outageReported = true;
      if (code != null && !wasRegistered && !UNREACHABLE.equals(code)) {
        listener.onError(code, reason + "; retrying in the background");
      } else {
        listener.onDisconnected(reason + "; retrying in the background");
      }
    } else {
      LOG.debug("{}; next attempt in {} ms", reason, delay.toMillis());
    }
    reconnect = loop.schedule(this::connect, delay.toMillis(), TimeUnit.MILLISECONDS);
  }

  String describe(Throwable cause) {
    String where = "the bootstrap server " + options.server();
    if (find(cause, UnknownHostException.class) != null) {
      return "cannot find the host of "
          + where
          + " (unknown host '"
          + options.server().getHost()
          + "')";
    }
    ConnectException refused = find(cause, ConnectException.class);
    if (refused != null) {
      return where + " is unreachable (" + firstLine(refused.getMessage()) + ")";
    }
    if (cause instanceof ConnectTimeoutException) {
      return where + " is unreachable (connect timed out)";
    }
    WebSocketClientHandshakeException handshake =
        find(cause, WebSocketClientHandshakeException.class);
    if (handshake != null && handshake.response() != null) {
      return options.server()
          + " is not a Parlance bootstrap server (HTTP "
          + handshake.response().status()
          + ")";
    }
    SSLException tls = find(cause, SSLException.class);
    if (tls != null) {
      Throwable root = tls;
      while (root.getCause() != null) {
        root = root.getCause();
      }
      return "TLS with " + where + " failed: " + firstLine(root.getMessage());
    }
    if (cause instanceof ClosedChannelException) {
      return "lost the connection to " + where;
    }
    return "cannot talk to " + where + ": " + firstLine(String.valueOf(cause.getMessage()));
  }

  private static <T extends Throwable> T find(Throwable t, Class<T> type) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (type.isInstance(c)) {
        return type.cast(c);
      }
      if (c.getCause() == c) {
        break;
      }
    }
    return null;
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "no details";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  /**
   * Unregisters, closes the connection with 1000 and stops the event loop. Peers are not reported
   * as left. Safe to call more than once.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      loop.submit(
              () -> {
                if (reconnect != null) {
                  reconnect.cancel(false);
                }
                Channel ch = channel;
                BootstrapClientHandler h = handler;
                if (ch == null || !ch.isActive()) {
                  return;
                }
                if (h == null || !h.handshakeDone()) {
                  ch.close();
                  return;
                }
                // Unregister and wait for the answer, so the nickname is free when close returns.
                CompletableFuture<Void> unregistered =
                    registered ? h.unregister() : CompletableFuture.completedFuture(null);
                LoopTimeout.within(loop, unregistered, 1_000)
                    .whenComplete(
                        (r, e) ->
                            ch.writeAndFlush(
                                    new CloseWebSocketFrame(
                                        BootstrapProtocol.CLOSE_NORMAL, "goodbye"))
                                .addListener(f -> ch.close()));
              })
          .awaitUninterruptibly(2_000);
      Channel ch = channel;
      if (ch != null) {
        ch.closeFuture().awaitUninterruptibly(2_000);
        ch.close().awaitUninterruptibly(1_000);
      }
    } finally {
      registered = false;
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5_000);
    }
  }
}
