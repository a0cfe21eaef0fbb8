package io.parlance.client.messaging;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.timeout.WriteTimeoutException;
import io.parlance.client.peer.Peer;
import io.parlance.protocol.ProtocolException;
import io.parlance.protocol.wire.ChatLine;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
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
    this(group, connectTimeout, writeTimeout, idleTimeout, AckListener.NONE);
  }

  /**
   * Creates the pool.
   *
   * @param group the event loops to run on (not owned)
   * @param connectTimeout how long a connect may take
   * @param writeTimeout how long a write may wait for the peer to read
   * @param idleTimeout how long an unused connection stays open
   * @param acks where the acknowledgements peers write back on our connections go
   */
  public ConnectionPool(
      EventLoopGroup group,
      Duration connectTimeout,
      Duration writeTimeout,
      Duration idleTimeout,
      AckListener acks) {
    Objects.requireNonNull(group, "group");
    Objects.requireNonNull(acks, "acks");
    this.bootstrap =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeout.toMillis())
            .option(ChannelOption.TCP_NODELAY, true)
            .handler(new OutboundInitializer(writeTimeout, idleTimeout, acks));
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
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(line, "line");
    CompletableFuture<Void> result = new CompletableFuture<>();
    attempt(address, line, result, true);
    return result;
  }

  /**
   * Returns the pooled connection to an address, opening one if needed, for a sender that writes on
   * it directly: one that must know when its connection changes, because lines written on a
   * connection that broke may be lost and must go again, in order, before any later line.
   *
   * @param address the peer's message address
   * @return completes with the open connection; fails with a {@link DeliveryException}
   */
  public CompletableFuture<Channel> connection(InetSocketAddress address) {
    Objects.requireNonNull(address, "address");
    CompletableFuture<Channel> result = new CompletableFuture<>();
    if (closed) {
      result.completeExceptionally(
          new DeliveryException(
              DeliveryException.Reason.CLOSED, address, "the node is shutting down", null));
      return result;
    }
    ChannelFuture connection = connectionTo(address);
    connection.addListener(
        connected -> {
          if (!connected.isSuccess()) {
            connections.remove(address, connection);
            result.completeExceptionally(translate(address, connected.cause()));
          } else if (!connection.channel().isActive()) {
            connections.remove(address, connection);
            result.completeExceptionally(
                new DeliveryException(
                    DeliveryException.Reason.CONNECTION_LOST,
                    address,
                    "the connection to " + Peer.format(address) + " was closed",
                    null));
          } else {
            result.complete(connection.channel());
          }
        });
    return result;
  }

  private void attempt(
      InetSocketAddress address, ChatLine line, CompletableFuture<Void> result, boolean mayRetry) {
    if (closed) {
      result.completeExceptionally(
          new DeliveryException(
              DeliveryException.Reason.CLOSED, address, "the node is shutting down", null));
      return;
    }
    ChannelFuture connection = connectionTo(address);
    connection.addListener(
        connected -> {
          if (!connected.isSuccess()) {
            connections.remove(address, connection);
            result.completeExceptionally(translate(address, connected.cause()));
            return;
          }
          Channel ch = connection.channel();
          if (!ch.isActive()) {
            connections.remove(address, connection);
            retryOrFail(address, line, result, mayRetry, null);
            return;
          }
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
                      retryOrFail(address, line, result, mayRetry, written.cause());
                    }
                  });
        });
  }

  private void retryOrFail(
      InetSocketAddress address,
      ChatLine line,
      CompletableFuture<Void> result,
      boolean mayRetry,
      Throwable cause) {
    if (mayRetry && !(cause instanceof WriteTimeoutException)) {
      attempt(address, line, result, false);
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

  private ChannelFuture connectionTo(InetSocketAddress address) {
    ChannelFuture existing = connections.get(address);
    if (existing != null) {
      return existing;
    }
    // Not computeIfAbsent: a connect that fails at once may run the close listener, which
    // removes from the map, inside the mapping function.
    ChannelFuture fresh = connect(address);
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

  private ChannelFuture connect(InetSocketAddress address) {
    opened.incrementAndGet();
    ChannelFuture future = bootstrap.connect(address);
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
    for (ChannelFuture connection : connections.values()) {
      connection.channel().close().await(timeout.toMillis());
    }
    connections.clear();
  }
}
