package io.parlance.client.messaging;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * The TCP listener for chat lines: any number of lines per connection, a bounded number of
 * connections, each closed on bad input, a flood or a long silence.
 */
public final class MessageServer {

  private final InetSocketAddress bindAddress;
  private final ConnectionLimitHandler connectionLimit;
  private final MessageServerInitializer initializer;
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
   * Creates the server, accepting TLS and plain connections on one port; {@link
   * #start(EventLoopGroup)} binds it.
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
    this.bindAddress = Objects.requireNonNull(bindAddress, "bindAddress");
    this.connectionLimit = new ConnectionLimitHandler(maxConnections);
    this.initializer =
        new MessageServerInitializer(
            connectionLimit,
            Objects.requireNonNull(sink, "sink"),
            maxLineBytes,
            maxLinesPerSecond,
            idleTimeout,
            tls);
  }

  /**
   * Binds the listener. Must not be called on an event loop.
   *
   * @param group the event loops to run on (not owned)
   * @return the bound address
   * @throws InterruptedException if interrupted while binding
   */
  public InetSocketAddress start(EventLoopGroup group) throws InterruptedException {
    channel =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .option(ChannelOption.SO_BACKLOG, 128)
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
  }
}
