package io.parlance.bootstrap;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.parlance.bootstrap.cluster.RedisCluster;
import io.parlance.bootstrap.mailbox.MailboxService;
import io.parlance.bootstrap.registry.Registry;
import io.parlance.protocol.bootstrap.BootstrapProtocol;
import io.parlance.protocol.bootstrap.HostPort;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bootstrap server: binds one port that serves the WebSocket registry, {@code /healthz} and
 * {@code /metrics}, and shuts down by telling every client "going away" (1001).
 *
 * <pre>{@code
 * try (BootstrapServer server = BootstrapServer.start(BootstrapServerConfig.builder().port(0).build())) {
 *   int port = server.port();
 * }
 * }</pre>
 */
public final class BootstrapServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(BootstrapServer.class);

  /** How long {@link #stop()} waits for clients to take their close frames. */
  private static final long CLOSE_WAIT_MILLIS = 2_000;

  private final ServerState state;
  private final EventLoopGroup bossGroup;
  private final EventLoopGroup workerGroup;
  private final Channel serverChannel;
  private volatile boolean stopped;

  private BootstrapServer(
      ServerState state, EventLoopGroup boss, EventLoopGroup workers, Channel serverChannel) {
    this.state = state;
    this.bossGroup = boss;
    this.workerGroup = workers;
    this.serverChannel = serverChannel;
  }

  /**
   * Binds and starts a server.
   *
   * @param config the settings
   * @return the running server
   * @throws InterruptedException if interrupted while binding
   * @throws java.net.BindException if the address is in use or cannot be bound
   */
  public static BootstrapServer start(BootstrapServerConfig config) throws InterruptedException {
    Objects.requireNonNull(config, "config");
    EventLoopGroup boss = new NioEventLoopGroup(1, new DefaultThreadFactory("bootstrap-accept"));
    NioEventLoopGroup workers = new NioEventLoopGroup(0, new DefaultThreadFactory("bootstrap-io"));
    boolean started = false;
    ServerState state = null;
    try {
      state = new ServerState(config, workers, workers.executorCount());
      ServerBootstrap b =
          new ServerBootstrap()
              .group(boss, workers)
              .channel(NioServerSocketChannel.class)
              .option(ChannelOption.SO_BACKLOG, 4096)
              .option(ChannelOption.SO_REUSEADDR, true)
              .childOption(ChannelOption.TCP_NODELAY, true)
              .childOption(
                  ChannelOption.WRITE_BUFFER_WATER_MARK,
                  new WriteBufferWaterMark(64 * 1024, 256 * 1024))
              .childHandler(new BootstrapServerInitializer(state));
      ChannelFuture bind = b.bind(config.host(), config.port()).await();
      if (!bind.isSuccess()) {
        throw sneaky(bind.cause());
      }
      state.relayUrl =
          PublicUrl.relayUrl(
              config.publicUrl(),
              config.sslContext() != null,
              config.host(),
              ((InetSocketAddress) bind.channel().localAddress()).getPort());
      state.broadcaster.start(workers.next(), config.batchInterval());
      BootstrapServer server = new BootstrapServer(state, boss, workers, bind.channel());
      LOG.info(
          "Bootstrap server listening on {}://{} (health: /healthz, metrics: /metrics)",
          config.sslContext() == null ? "ws" : "wss",
          HostPort.format((InetSocketAddress) bind.channel().localAddress()));
      started = true;
      return server;
    } finally {
      if (!started) {
        if (state != null) {
          if (state.mailbox != null) {
            state.mailbox.close();
          }
          if (state.cluster != null) {
            state.cluster.close();
          }
          state.metrics.close();
        }
        boss.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
        workers.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static <E extends Throwable> E sneaky(Throwable t) throws E {
    throw (E) t;
  }

  /**
   * Returns the bound port.
   *
   * @return the port
   */
  public int port() {
    return ((InetSocketAddress) serverChannel.localAddress()).getPort();
  }

  /**
   * Returns the bound address.
   *
   * @return the address
   */
  public InetSocketAddress localAddress() {
    return (InetSocketAddress) serverChannel.localAddress();
  }

  /**
   * Returns the registry, for tests and embedding.
   *
   * @return the registry
   */
  public Registry registry() {
    return state.registry;
  }

  /**
   * Returns the sealed mailbox, for tests and embedding.
   *
   * @return the mailbox service, or null when the server keeps none
   */
  public MailboxService mailbox() {
    return state.mailbox;
  }

  /**
   * Returns the cluster membership, with {@code --redis}.
   *
   * @return the membership, or empty for a server on its own
   */
  public Optional<RedisCluster> cluster() {
    return Optional.ofNullable(state.cluster);
  }

  /**
   * Returns the Prometheus text exposition of the metrics.
   *
   * @return the metrics
   */
  public String scrapeMetrics() {
    return state.metrics.scrape();
  }

  /**
   * Stops accepting, closes every WebSocket client with 1001 "going away", then closes the
   * remaining connections and the event loops. Safe to call more than once. In a cluster the
   * registrations are handed over ({@link RedisCluster#handOver()}), not released.
   */
  public synchronized void stop() {
    if (stopped) {
      return;
    }
    stopped = true;
    state.stopping = true;
    LOG.info("Stopping: closing {} clients with 1001 going away", state.channels.size());
    state.broadcaster.stop();
    if (state.cluster != null) {
      // Our peers move to the other servers: hand them over rather than publish their leaves.
      state.cluster.handOver();
    }
    try {
      serverChannel.close().awaitUninterruptibly(CLOSE_WAIT_MILLIS);
      state
          .channels
          .writeAndFlush(
              new CloseWebSocketFrame(BootstrapProtocol.CLOSE_GOING_AWAY, "server shutting down"))
          .awaitUninterruptibly(CLOSE_WAIT_MILLIS);
      state.channels.close().awaitUninterruptibly(CLOSE_WAIT_MILLIS);
    } finally {
      if (state.mailbox != null) {
        // Before the cluster and the loops: a mailbox on Redis uses the cluster's client.
        state.mailbox.close();
      }
      if (state.cluster != null) {
        // Before the loops stop: the Redis connections run on them.
        state.cluster.close();
      }
      bossGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5_000);
      workerGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5_000);
      state.metrics.close();
      LOG.info("Stopped");
    }
  }

  /**
   * Waits until the server channel closes (after {@link #stop()}).
   *
   * @throws InterruptedException if interrupted
   */
  public void awaitClosed() throws InterruptedException {
    serverChannel.closeFuture().await();
  }

  @Override
  public void close() {
    stop();
  }
}
