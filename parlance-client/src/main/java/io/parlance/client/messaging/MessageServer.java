package io.parlance.client.messaging;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.parlance.protocol.bootstrap.RelayFrames;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The TCP listener for chat lines: any number of lines per connection, or one connection per line
 * as the Rust Parlance sends; a bounded number of connections shared fairly between addresses
 * ({@link ConnectionLimitHandler}), each closed on bad input, a flood or a long silence.
 */
public final class MessageServer {

  /**
   * The accept queue's length: a sender that opens one connection per message, as the Rust Parlance
   * does, has thousands in flight a second, and each one the kernel drops when the queue is full
   * costs it a SYN retransmit (a second). Linux caps it at {@code net.core.somaxconn} (4096 by
   * default since 5.4).
   */
  static final int ACCEPT_BACKLOG = 4096;

  /** The most relayed sessions accepted at a time. */
  public static final int MAX_RELAYED = 64;

  private final InetSocketAddress bindAddress;
  private final ConnectionLimitHandler connectionLimit;
  private final MessageServerInitializer initializer;
  private final MessageServerInitializer relayedInitializer;
  private final Map<Channel, Boolean> relayed = new ConcurrentHashMap<>();
  private volatile EventLoopGroup group;
  private volatile Channel channel;

  /**
   * Creates the server; {@link #start(EventLoopGroup)} binds it.
   *
   * @param bindAddress where to listen; port 0 picks a free port
   * @param sink where received chat lines go
   * @param maxConnections the most inbound connections open at once
   * @param maxLineBytes the longest line accepted
   * @param maxLinesPerSecond the most lines one connection may send in a second
   * @param idleTimeout how long an inbound connection may stay silent before it is closed
   */
  public MessageServer(
      InetSocketAddress bindAddress,
      InboundSink sink,
      int maxConnections,
      int maxLineBytes,
      int maxLinesPerSecond,
      Duration idleTimeout) {
    this(bindAddress, sink, maxConnections, maxLineBytes, maxLinesPerSecond, idleTimeout, null);
  }

  /**
   * Creates the server, accepting TLS and plain connections on one port, with the default limits
   * but these and no peer known (so no slots kept for known ones); {@link #start(EventLoopGroup)}
   * binds it.
   *
   * @param bindAddress where to listen; port 0 picks a free port
   * @param sink where received chat lines go
   * @param maxConnections the most inbound connections open at once
   * @param maxLineBytes the longest line accepted
   * @param maxLinesPerSecond the most lines one connection may send in a second
   * @param idleTimeout how long an inbound connection may stay silent before it is closed
   * @param tls the TLS contexts, or null to accept plain connections only
   */
  public MessageServer(
      InetSocketAddress bindAddress,
      InboundSink sink,
      int maxConnections,
      int maxLineBytes,
      int maxLinesPerSecond,
      Duration idleTimeout,
      PeerTls.Contexts tls) {
    this(
        bindAddress,
        sink,
        InboundLimits.DEFAULTS
            .withMaxConnections(maxConnections)
            .withAddressLimits(InboundLimits.DEFAULTS.maxConnectionsPerAddress(), 0)
            .withTimeouts(InboundLimits.DEFAULTS.firstLineTimeout(), idleTimeout)
            .withLines(
                maxLineBytes,
                InboundLimits.DEFAULTS.maxPendingBytesPerAddress(),
                InboundLimits.DEFAULTS.maxPendingBytes(),
                maxLinesPerSecond),
        tls,
        KnownPeers.NONE,
        InboundRefusals.NONE);
  }

  /**
   * Creates the server, accepting TLS and plain connections on one port; {@link
   * #start(EventLoopGroup)} binds it.
   *
   * @param bindAddress where to listen; port 0 picks a free port
   * @param sink where received chat lines go
   * @param limits the listener's limits
   * @param tls the TLS contexts, or null to accept plain connections only
   * @param known tells whether a connection comes from a peer the node knows, which may use the
   *     slots {@linkplain InboundLimits#reservedForKnownPeers() kept for them}; called on event
   *     loops, must not block
   * @param refusals where refused lines are reported
   */
  public MessageServer(
      InetSocketAddress bindAddress,
      InboundSink sink,
      InboundLimits limits,
      PeerTls.Contexts tls,
      KnownPeers known,
      InboundRefusals refusals) {
    this.bindAddress = Objects.requireNonNull(bindAddress, "bindAddress");
    Objects.requireNonNull(known, "known");
    this.connectionLimit =
        new ConnectionLimitHandler(
            limits, ch -> known.isKnown(ch.remoteAddress(), PeerTls.provenPeer(ch).orElse(null)));
    this.initializer =
        new MessageServerInitializer(
            connectionLimit,
            Objects.requireNonNull(sink, "sink"),
            limits,
            tls,
            Objects.requireNonNull(refusals, "refusals"));
    this.relayedInitializer =
        new MessageServerInitializer(connectionLimit, sink, limits, tls, refusals, true);
  }

  /**
   * Accepts a relayed session a peer asked for through a bootstrap server: joins it with our token,
   * and once paired reads it as an accepted connection, TLS required (the peer must prove its key
   * end to end; the relay sees only ciphertext). At most {@value #MAX_RELAYED} at a time.
   *
   * @param relay the relay's URI
   * @param relayTls TLS to the server for {@code wss://}, else null
   * @param join our join, with the single-use token of the server's {@code relay_offer}
   * @param timeout how long connecting and pairing may take
   * @return completes once paired; fails with a message saying why not
   */
  public CompletableFuture<Void> acceptRelayed(
      URI relay, SslContext relayTls, RelayFrames.Join join, Duration timeout) {
    EventLoopGroup g = group;
    if (g == null || channel == null || !channel.isOpen()) {
      return CompletableFuture.failedFuture(new IllegalStateException("the listener is closed"));
    }
    if (relayed.size() >= MAX_RELAYED) {
      return CompletableFuture.failedFuture(
          new IllegalStateException(
              "already " + MAX_RELAYED + " relayed sessions open; refused one more"));
    }
    return RelaySocket.open(g, relay, relayTls, join, timeout, relayedInitializer)
        .thenAccept(
            ch -> {
              relayed.put(ch, Boolean.TRUE);
              ch.closeFuture().addListener(f -> relayed.remove(ch));
            });
  }

  /**
   * Takes the incoming side of a hole punch a peer asked for: connects from {@code localPort} to
   * the peer's mapping again and again (see {@link HolePunch}) and runs the incoming pipeline on
   * the connection, TLS server, TLS required, as for a relayed session.
   *
   * @param localPort the local port whose mapping the peer was told
   * @param mapping the peer's mapping
   * @param total how long to keep trying to connect
   * @return completes once connected; fails if no connect worked in time
   */
  public CompletableFuture<Void> acceptPunched(
      int localPort, InetSocketAddress mapping, Duration total) {
    EventLoopGroup g = group;
    if (g == null || channel == null || !channel.isOpen()) {
      return CompletableFuture.failedFuture(new IllegalStateException("the listener is closed"));
    }
    if (relayed.size() >= MAX_RELAYED) {
      return CompletableFuture.failedFuture(
          new IllegalStateException(
              "already " + MAX_RELAYED + " relayed or punched sessions open; refused one more"));
    }
    return HolePunch.connect(g, localPort, mapping, total, relayedInitializer)
        .thenAccept(
            ch -> {
              relayed.put(ch, Boolean.TRUE);
              ch.closeFuture().addListener(f -> relayed.remove(ch));
            });
  }

  /**
   * Returns how many relayed sessions we accepted are open.
   *
   * @return the count
   */
  public int relayedConnections() {
    return relayed.size();
  }

  /**
   * Binds the listener. Must not be called on an event loop.
   *
   * @param group the event loops to run on (not owned)
   * @return the bound address
   * @throws InterruptedException if interrupted while binding
   */
  public InetSocketAddress start(EventLoopGroup group) throws InterruptedException {
    this.group = group;
    channel =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .option(ChannelOption.SO_BACKLOG, ACCEPT_BACKLOG)
            .handler(connectionLimit.acceptGate())
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(initializer)
            .bind(bindAddress)
            .sync()
            .channel();
    return (InetSocketAddress) channel.localAddress();
  }

  /**
   * Returns how many inbound connections were accepted since the start.
   *
   * @return the count
   */
  public long acceptedConnections() {
    return connectionLimit.accepted();
  }

  /**
   * Returns how many inbound connections were refused for want of a free slot.
   *
   * @return the count
   */
  public long refusedConnections() {
    return connectionLimit.rejected();
  }

  /**
   * Returns how many idle inbound connections were closed to make room for new ones.
   *
   * @return the count
   */
  public long evictedConnections() {
    return connectionLimit.evicted();
  }

  /**
   * Returns how many bytes of unfinished lines the listener holds, for tests.
   *
   * @return the count
   */
  long pendingLineBytes() {
    return connectionLimit.pendingBytes();
  }

  /**
   * Returns how many inbound connections are open.
   *
   * @return the count
   */
  public int openConnections() {
    return connectionLimit.open();
  }

  /**
   * Stops listening; accepted connections close when their event loops shut down.
   *
   * @param timeout how long to wait
   * @throws InterruptedException if interrupted while waiting
   */
  public void close(Duration timeout) throws InterruptedException {
    Channel ch = channel;
    if (ch != null) {
      ch.close().await(timeout.toMillis());
    }
    for (Channel r : relayed.keySet()) {
      r.close().await(timeout.toMillis());
    }
    relayed.clear();
  }
}
