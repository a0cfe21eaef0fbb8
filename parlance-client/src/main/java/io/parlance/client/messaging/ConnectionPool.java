package io.parlance.client.messaging;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.WriteTimeoutException;
import io.parlance.client.peer.Peer;
import io.parlance.client.security.PeerId;
import io.parlance.protocol.ProtocolException;
import io.parlance.protocol.bootstrap.RelayFrames;
import io.parlance.protocol.wire.ChatLine;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Outgoing connections, one per peer address, opened on the first message, reused for the next
 * ones, closed when idle, and reopened transparently when the peer closed them.
 *
 * <p>Lines sent to one address from one thread leave in order. A send completes when its line has
 * been written to the socket, which is all the plain protocol can tell; peers that acknowledge
 * write their acks back on the same connection, and the pool hands them to its {@link AckListener}.
 */
public final class ConnectionPool {

  private final Bootstrap bootstrap;
  private final Map<InetSocketAddress, ChannelFuture> connections = new ConcurrentHashMap<>();
  private final AtomicLong opened = new AtomicLong();
  private final boolean tls;
  private final PendingTls tlsContext;
  private final EventLoopGroup group;
  private final Duration connectTimeout;
  private final OutboundInitializer initializer;
  private final Map<Channel, Boolean> relayed = new ConcurrentHashMap<>();
  private volatile boolean closed;

  /**
   * Creates the pool, ignoring anything peers write back.
   *
   * @param group the event loops to run on (not owned)
   * @param connectTimeout how long a connect may take
   * @param writeTimeout how long a write may wait for the peer to read
   * @param idleTimeout how long an unused connection stays open
   */
  public ConnectionPool(
      EventLoopGroup group, Duration connectTimeout, Duration writeTimeout, Duration idleTimeout) {
    this(group, connectTimeout, writeTimeout, idleTimeout, (PendingTls) null, AckListener.NONE);
  }

  /**
   * Creates the pool, able to open TLS connections to peers that speak it.
   *
   * @param group the event loops to run on (not owned)
   * @param connectTimeout how long a connect may take
   * @param writeTimeout how long a write may wait for the peer to read
   * @param idleTimeout how long an unused connection stays open
   * @param tls the TLS client context, or null to open plain connections only
   * @param acks where the acknowledgements peers write back on our connections go
   */
  public ConnectionPool(
      EventLoopGroup group,
      Duration connectTimeout,
      Duration writeTimeout,
      Duration idleTimeout,
      SslContext tls,
      AckListener acks) {
    this(
        group,
        connectTimeout,
        writeTimeout,
        idleTimeout,
        tls == null ? null : PendingTls.of(tls),
        acks);
  }

  /**
   * Makes a pool whose TLS context may still be being built: a TLS connection asked for before it
   * is built is opened once it is.
   *
   * @param group the event loops connections run on
   * @param connectTimeout how long to wait for a connection to be accepted
   * @param writeTimeout how long a peer may take to read what we write
   * @param idleTimeout how long an unused connection stays open
   * @param tls the TLS client context, or null to open plain connections only
   * @param acks where the acknowledgements peers write back on our connections go
   */
  public ConnectionPool(
      EventLoopGroup group,
      Duration connectTimeout,
      Duration writeTimeout,
      Duration idleTimeout,
      PendingTls tls,
      AckListener acks) {
    Objects.requireNonNull(group, "group");
    Objects.requireNonNull(acks, "acks");
    this.group = group;
    this.connectTimeout = connectTimeout;
    this.initializer = new OutboundInitializer(writeTimeout, idleTimeout, tls, acks);
    this.bootstrap =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeout.toMillis())
            .option(ChannelOption.TCP_NODELAY, true)
            .handler(initializer);
    this.tls = tls != null;
    this.tlsContext = tls;
  }

  /**
   * Sends a chat line to an address over the pooled connection, opening one if needed; if the
   * pooled connection turns out closed, opens a new one and tries once more.
   *
   * @param address the peer's message address
   * @param line the line
   * @return completes when the line is written; fails with a {@link DeliveryException}
   */
  public CompletableFuture<Void> send(InetSocketAddress address, ChatLine line) {
    return send(address, null, line);
  }

  /**
   * Sends a chat line to an address, over TLS when the peer's id is given: the line is written only
   * once the handshake has proven that the other side holds the key of that id.
   *
   * @param address the peer's message address
   * @param peerId the id the peer announced, for a TLS connection; null for a plain one
   * @param line the line
   * @return completes when the line is written; fails with a {@link DeliveryException}, of reason
   *     {@link DeliveryException.Reason#IDENTITY_MISMATCH} if another key answered
   */
  public CompletableFuture<Void> send(InetSocketAddress address, PeerId peerId, ChatLine line) {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(line, "line");
    if (peerId != null && !tls) {
      throw new IllegalStateException("this pool was made without a TLS context");
    }
    CompletableFuture<Void> result = new CompletableFuture<>();
    attempt(new Target(address, peerId), line, result, true);
    return result;
  }

  /** Where a line goes: an address, and the id that must answer there when over TLS. */
  private record Target(InetSocketAddress address, PeerId peerId) {}

  /**
   * Returns the pooled connection to an address as a link, opening one if needed, for a sender that
   * writes on it directly: one that must know when its connection changes, because lines written on
   * a connection that broke may be lost and must go again, in order, before any later line. Over
   * TLS it completes only once the handshake has proven the peer's id.
   *
   * @param address the peer's message address
   * @param peerId the id the peer announced, for a TLS connection; null for a plain one
   * @return completes with the open connection; fails with a {@link DeliveryException}
   */
  public CompletableFuture<PeerLink> connection(InetSocketAddress address, PeerId peerId) {
    Objects.requireNonNull(address, "address");
    CompletableFuture<PeerLink> result = new CompletableFuture<>();
    CompletableFuture<ChannelFuture> ready = new CompletableFuture<>();
    whenReady(
        new Target(address, peerId),
        ready,
        () ->
            result.completeExceptionally(
                new DeliveryException(
                    DeliveryException.Reason.CONNECTION_LOST,
                    address,
                    "the connection to " + Peer.format(address) + " was closed",
                    null)));
    ready.whenComplete(
        (connection, error) -> {
          if (error != null) {
            result.completeExceptionally(error);
          } else {
            result.complete(ChannelLink.of(connection.channel(), address));
          }
        });
    return result;
  }

  /**
   * Opens a relayed connection to a peer through a bootstrap server's relay: the same outgoing
   * pipeline as a direct connection, TLS first, on the relayed bytes, so the handshake must prove
   * the peer's id end to end and the relay forwards only ciphertext. Not pooled: the caller keeps
   * the link while it is open. Only for TLS peers: a plain peer is never relayed.
   *
   * @param relay the relay's URI
   * @param relayTls TLS to the server for {@code wss://}, else null
   * @param join our join, with the single-use token of the server's {@code relay_ready}
   * @param address the peer's message address (names the link; nothing connects to it)
   * @param peerId the id the peer must prove
   * @return completes with the verified link; fails with a {@link DeliveryException}
   */
  public CompletableFuture<PeerLink> relayed(
      URI relay,
      SslContext relayTls,
      RelayFrames.Join join,
      InetSocketAddress address,
      PeerId peerId) {
    Objects.requireNonNull(peerId, "a plain peer is never relayed");
    if (!tls) {
      throw new IllegalStateException("this pool was made without a TLS context");
    }
    CompletableFuture<PeerLink> result = new CompletableFuture<>();
    if (closed) {
      result.completeExceptionally(
          new DeliveryException(
              DeliveryException.Reason.CLOSED, address, "the node is shutting down", null));
      return result;
    }
    // Just after the start the TLS context may still be being built: the relay is dialled once
    // it is (at once otherwise).
    tlsContext.whenReady(
        () -> {
          RelaySocket.open(
                  group, relay, relayTls, join, connectTimeout, unpooledInit(address, peerId))
              .whenComplete(
                  (ch, error) -> adopt(ch, error, "cannot relay to ", address, peerId, result));
        },
        group.next());
    return result;
  }

  /**
   * Opens a hole-punched connection to a peer: connects from {@code localPort} to the peer's
   * mapping again and again (see {@link HolePunch}) and runs the same outgoing pipeline as a direct
   * connection on it, TLS client first, so the handshake must prove the peer's id. Not pooled: the
   * caller keeps the link while it is open. Only for TLS peers.
   *
   * @param localPort the local port whose mapping the peer was told
   * @param mapping the peer's mapping
   * @param total how long to keep trying to connect
   * @param address the peer's message address (names the link; acks are matched by it)
   * @param peerId the id the peer must prove
   * @return completes with the verified link; fails with a {@link DeliveryException}
   */
  public CompletableFuture<PeerLink> punched(
      int localPort,
      InetSocketAddress mapping,
      Duration total,
      InetSocketAddress address,
      PeerId peerId) {
    Objects.requireNonNull(peerId, "a plain peer is never punched to");
    if (!tls) {
      throw new IllegalStateException("this pool was made without a TLS context");
    }
    CompletableFuture<PeerLink> result = new CompletableFuture<>();
    if (closed) {
      result.completeExceptionally(
          new DeliveryException(
              DeliveryException.Reason.CLOSED, address, "the node is shutting down", null));
      return result;
    }
    HolePunch.connect(group, localPort, mapping, total, unpooledInit(address, peerId))
        .whenComplete(
            (ch, error) -> adopt(ch, error, "no hole punched to ", address, peerId, result));
    return result;
  }

  /** The outgoing pipeline of a link not in the pool (relayed or punched), for that peer. */
  private ChannelInitializer<Channel> unpooledInit(InetSocketAddress address, PeerId peerId) {
    return new ChannelInitializer<Channel>() {
      @Override
      protected void initChannel(Channel ch) {
        ch.attr(PeerTls.EXPECTED_PEER).set(peerId);
        ch.attr(RelaySocket.PEER_ADDRESS).set(address);
        ch.pipeline().addLast(initializer);
      }
    };
  }

  /**
   * Takes a relayed or punched channel once it is open: counted and tracked while open, and the
   * link handed over once TLS has proven the peer's id.
   */
  private void adopt(
      Channel ch,
      Throwable error,
      String failure,
      InetSocketAddress address,
      PeerId peerId,
      CompletableFuture<PeerLink> result) {
    if (error != null) {
      result.completeExceptionally(
          new DeliveryException(
              DeliveryException.Reason.UNREACHABLE,
              address,
              failure + Peer.format(address) + ": " + error.getMessage(),
              error));
      return;
    }
    opened.incrementAndGet();
    relayed.put(ch, Boolean.TRUE);
    ch.closeFuture().addListener(f -> relayed.remove(ch));
    CompletableFuture<ChannelFuture> ready = new CompletableFuture<>();
    whenVerified(new Target(address, peerId), ch.newSucceededFuture(), ready);
    ready.whenComplete(
        (c, e) -> {
          if (e != null) {
            result.completeExceptionally(e);
          } else {
            result.complete(ChannelLink.of(ch, address));
          }
        });
  }

  /**
   * Opens the target's connection, or takes the pooled one, and completes {@code ready} once it may
   * carry lines (see {@link #whenVerified}); runs {@code stale} instead if the pooled connection
   * turns out to be closed.
   */
  private void whenReady(Target target, CompletableFuture<ChannelFuture> ready, Runnable stale) {
    InetSocketAddress address = target.address();
    if (closed) {
      ready.completeExceptionally(
          new DeliveryException(
              DeliveryException.Reason.CLOSED, address, "the node is shutting down", null));
      return;
    }
    if (target.peerId() != null && !tlsContext.isReady()) {
      // Just after the start: the TLS context is still being built; connect once it is.
      tlsContext.whenReady(() -> whenReady(target, ready, stale), group.next());
      return;
    }
    ChannelFuture connection = connectionTo(target);
    connection.addListener(
        connected -> {
          if (!connected.isSuccess()) {
            connections.remove(address, connection);
            ready.completeExceptionally(translate(address, connected.cause()));
          } else if (!connection.channel().isActive()) {
            connections.remove(address, connection);
            stale.run();
          } else {
            whenVerified(target, connection, ready);
          }
        });
  }

  private void attempt(
      Target target, ChatLine line, CompletableFuture<Void> result, boolean mayRetry) {
    CompletableFuture<ChannelFuture> ready = new CompletableFuture<>();
    whenReady(target, ready, () -> retryOrFail(target, line, result, mayRetry, null));
    ready.whenComplete(
        (connection, error) -> {
          if (error != null) {
            result.completeExceptionally(error);
          } else {
            write(target, connection, line, result, mayRetry);
          }
        });
  }

  /**
   * Completes with the connection once it may carry lines: at once for a plain connection; for TLS,
   * once the handshake proved the id the peer announced. Otherwise closes it and fails, so no line
   * ever reaches another key.
   */
  private void whenVerified(
      Target target, ChannelFuture connection, CompletableFuture<ChannelFuture> result) {
    InetSocketAddress address = target.address();
    Channel ch = connection.channel();
    SslHandler ssl = PeerTls.handler(ch);
    if (ssl == null) {
      result.complete(connection);
      return;
    }
    ssl.handshakeFuture()
        .addListener(
            handshake -> {
              if (!handshake.isSuccess()) {
                connections.remove(address, connection);
                ch.close();
                result.completeExceptionally(
                    new DeliveryException(
                        DeliveryException.Reason.FAILED,
                        address,
                        "the TLS handshake with "
                            + Peer.format(address)
                            + " failed: "
                            + handshake.cause().getMessage(),
                        handshake.cause()));
                return;
              }
              Optional<PeerId> proven = PeerTls.provenPeer(ch);
              if (proven.isEmpty() || !proven.get().equals(target.peerId())) {
                connections.remove(address, connection);
                ch.close();
                result.completeExceptionally(
                    new DeliveryException(
                        DeliveryException.Reason.IDENTITY_MISMATCH,
                        address,
                        "refused "
                            + Peer.format(address)
                            + ": it proved the key of "
                            + proven.map(PeerId::toString).orElse("no id")
                            + ", not the announced "
                            + target.peerId()
                            + " (someone may be intercepting the connection)",
                        null));
                return;
              }
              result.complete(connection);
            });
  }

  private void write(
      Target target,
      ChannelFuture connection,
      ChatLine line,
      CompletableFuture<Void> result,
      boolean mayRetry) {
    InetSocketAddress address = target.address();
    Channel ch = connection.channel();
    ch.writeAndFlush(line)
        .addListener(
            written -> {
              if (written.isSuccess()) {
                result.complete(null);
              } else if (written.cause() instanceof ProtocolException p) {
                result.completeExceptionally(
                    new DeliveryException(
                        DeliveryException.Reason.FAILED, address, p.getMessage(), p));
              } else {
                connections.remove(address, connection);
                ch.close();
                retryOrFail(target, line, result, mayRetry, written.cause());
              }
            });
  }

  private void retryOrFail(
      Target target,
      ChatLine line,
      CompletableFuture<Void> result,
      boolean mayRetry,
      Throwable cause) {
    InetSocketAddress address = target.address();
    if (mayRetry && !(cause instanceof WriteTimeoutException)) {
      attempt(target, line, result, false);
    } else {
      result.completeExceptionally(
          cause == null
              ? new DeliveryException(
                  DeliveryException.Reason.CONNECTION_LOST,
                  address,
                  "the connection to " + Peer.format(address) + " was closed",
                  null)
              : translate(address, cause));
    }
  }

  private ChannelFuture connectionTo(Target target) {
    InetSocketAddress address = target.address();
    ChannelFuture existing = connections.get(address);
    if (existing != null) {
      if (Objects.equals(PeerTls.expectedPeer(existing.channel()), target.peerId())) {
        return existing;
      }
      // Another identity (or none) is expected at this address now: start afresh.
      connections.remove(address, existing);
      existing.channel().close();
    }
    // Not computeIfAbsent: a connect that fails at once may run the close listener, which
    // removes from the map, inside the mapping function.
    ChannelFuture fresh = connect(target);
    existing = connections.putIfAbsent(address, fresh);
    if (existing != null) {
      fresh.channel().close();
      return existing;
    }
    if (fresh.isDone() && !fresh.channel().isOpen()) {
      connections.remove(address, fresh);
    }
    return fresh;
  }

  private ChannelFuture connect(Target target) {
    InetSocketAddress address = target.address();
    opened.incrementAndGet();
    Bootstrap b =
        target.peerId() == null
            ? bootstrap
            : bootstrap.clone().attr(PeerTls.EXPECTED_PEER, target.peerId());
    ChannelFuture future = b.connect(address);
    future.channel().closeFuture().addListener(f -> connections.remove(address, future));
    return future;
  }

  static DeliveryException translate(InetSocketAddress address, Throwable cause) {
    String where = Peer.format(address);
    if (cause instanceof DeliveryException d) {
      return d;
    }
    if (cause instanceof ConnectTimeoutException) {
      return new DeliveryException(
          DeliveryException.Reason.TIMED_OUT,
          address,
          "connecting to " + where + " timed out",
          cause);
    }
    if (cause instanceof WriteTimeoutException) {
      return new DeliveryException(
          DeliveryException.Reason.TIMED_OUT,
          address,
          "the peer at " + where + " did not read in time",
          cause);
    }
    if (cause instanceof NoRouteToHostException) {
      return new DeliveryException(
          DeliveryException.Reason.UNREACHABLE, address, "no route to " + where, cause);
    }
    String message = cause.getMessage() == null ? "" : cause.getMessage();
    if (cause instanceof ConnectException
        || message.toLowerCase(Locale.ROOT).contains("connection refused")) {
      if (message.toLowerCase(Locale.ROOT).contains("refused")) {
        return new DeliveryException(
            DeliveryException.Reason.REFUSED,
            address,
            "connection refused by " + where + " (the peer is not listening)",
            cause);
      }
      if (message.toLowerCase(Locale.ROOT).contains("unreachable")) {
        return new DeliveryException(
            DeliveryException.Reason.UNREACHABLE, address, where + " is unreachable", cause);
      }
    }
    if (Disconnects.isOrdinary(cause)) {
      return new DeliveryException(
          DeliveryException.Reason.CONNECTION_LOST,
          address,
          "the connection to " + where + " broke: " + message,
          cause);
    }
    return new DeliveryException(
        DeliveryException.Reason.FAILED,
        address,
        "cannot send to " + where + ": " + (message.isEmpty() ? cause.toString() : message),
        cause);
  }

  /**
   * Returns how many connections this pool has opened since the start.
   *
   * @return the count
   */
  public long connectionsOpened() {
    return opened.get();
  }

  /**
   * Returns how many pooled connections exist (open or opening).
   *
   * @return the count
   */
  public int size() {
    return connections.size();
  }

  /**
   * Closes every connection and refuses new sends.
   *
   * @param timeout how long to wait for each connection to close
   * @throws InterruptedException if interrupted while waiting
   */
  public void close(Duration timeout) throws InterruptedException {
    closed = true;
    for (Channel ch : relayed.keySet()) {
      ch.close().await(timeout.toMillis());
    }
    relayed.clear();
    for (ChannelFuture connection : connections.values()) {
      connection.channel().close().await(timeout.toMillis());
    }
    connections.clear();
  }
}
