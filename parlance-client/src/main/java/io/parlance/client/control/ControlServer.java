package io.parlance.client.control;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutorGroup;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a daemon's control socket: a Unix domain socket, owner-only (0600), where local clients
 * write command lines and read JSON lines back.
 *
 * <p>It runs on Netty's native transport ({@link ControlTransport}): one event loop thread for
 * every connection, and two command threads on which each connection's {@link ControlSession}
 * handles its lines in order ({@link ControlHandler}). Everything is bounded: the number of
 * connections (more are refused with an error line), the length of a command line ({@link
 * io.netty.handler.codec.LineBasedFrameDecoder}; a longer one gets an error and the connection is
 * closed) and the output waiting for a client (a client that reads too slowly is dropped, so it can
 * never hold up the node or other clients).
 */
public final class ControlServer implements AutoCloseable {

  /**
   * The bounds of a control server.
   *
   * @param maxConnections the most connections open at once; more are refused with an error line
   * @param maxLineBytes the longest command line, in bytes, without its line break
   * @param maxQueuedLines the most lines waiting for one client
   * @param maxQueuedChars the most characters waiting for one client (one longer line is let
   *     through when nothing else waits)
   */
  public record Limits(
      int maxConnections, int maxLineBytes, int maxQueuedLines, long maxQueuedChars) {

    /** 16 connections, 64 KiB lines, 1024 lines or 8 Mi characters waiting per client. */
    public static final Limits DEFAULTS = new Limits(16, 64 * 1024, 1024, 8L * 1024 * 1024);

    /** Checks that every bound is positive. */
    public Limits {
      if (maxConnections < 1 || maxLineBytes < 1 || maxQueuedLines < 1 || maxQueuedChars < 1) {
        throw new IllegalArgumentException("control server limits must be positive");
      }
    }
  }

  private static final Logger LOG = LoggerFactory.getLogger(ControlServer.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<PosixFilePermission> SOCKET_PERMISSIONS =
      PosixFilePermissions.fromString("rw-------");
  private static final Duration DRAIN_WAIT = Duration.ofSeconds(2);
  private static final int COMMAND_THREADS = 2;
  private static final int BACKLOG = 16;

  private final Path socketFile;
  private final Limits limits;
  private final Function<ControlConnection, ControlSession> sessions;
  private final EventLoopGroup io;
  private final EventExecutorGroup commands;
  private final Set<Channel> connections = ConcurrentHashMap.newKeySet();
  private final Set<ControlHandler> handlers = ConcurrentHashMap.newKeySet();
  private final AtomicInteger nextId = new AtomicInteger();
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicBoolean accepting = new AtomicBoolean(true);
  private volatile Channel server;

  private ControlServer(
      Path socketFile,
      Limits limits,
      Function<ControlConnection, ControlSession> sessions,
      ControlTransport transport) {
    this.socketFile = socketFile;
    this.limits = limits;
    this.sessions = sessions;
    this.io = transport.group("parlance-control-io");
    this.commands =
        new DefaultEventExecutorGroup(
            COMMAND_THREADS, new DefaultThreadFactory("parlance-control", true));
  }

  /**
   * Binds the control socket and starts serving it. A socket file left by a daemon that did not
   * stop cleanly (nothing answers on it) is replaced; one that answers is not touched.
   *
   * @param socketFile where to bind; its directory should be owner-only
   * @param limits the bounds
   * @param sessions makes the session of each new connection
   * @return the running server
   * @throws IOException if the socket cannot be bound, or this system has no transport for Unix
   *     domain sockets, saying why
   */
  public static ControlServer start(
      Path socketFile, Limits limits, Function<ControlConnection, ControlSession> sessions)
      throws IOException {
    Objects.requireNonNull(socketFile, "socketFile");
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(sessions, "sessions");
    ControlTransport transport = ControlTransport.find();
    replaceStale(socketFile);
    ControlServer s = new ControlServer(socketFile, limits, sessions, transport);
    try {
      s.bind(transport);
    } catch (IOException | RuntimeException e) {
      s.shutDownThreads();
      throw new IOException(
          "cannot create the control socket " + socketFile + ": " + e.getMessage(), e);
    }
    LOG.info("Control socket listening at {} ({})", socketFile, transport);
    return s;
  }

  private void bind(ControlTransport transport) throws IOException {
    ChannelFuture bound =
        new ServerBootstrap()
            .group(io)
            .channel(transport.serverChannel())
            .option(ChannelOption.SO_BACKLOG, BACKLOG)
            .childOption(ChannelOption.AUTO_READ, false)
            .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
            .childHandler(new ControlInitializer(this, commands))
            .bind(new DomainSocketAddress(socketFile.toFile()))
            .awaitUninterruptibly();
    if (!bound.isSuccess()) {
      Throwable cause = bound.cause();
      throw new IOException(String.valueOf(cause.getMessage()), cause);
    }
    server = bound.channel();
    if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      try {
        Files.setPosixFilePermissions(socketFile, SOCKET_PERMISSIONS);
      } catch (IOException e) {
        server.close().awaitUninterruptibly();
        throw e;
      }
    }
  }

  private static void replaceStale(Path socketFile) throws IOException {
    if (!Files.exists(socketFile, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    BasicFileAttributes attributes =
        Files.readAttributes(socketFile, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    if (!attributes.isOther()) {
      throw new IOException(
          socketFile + " exists and is not a socket; move it away to start the daemon");
    }
    if (answers(socketFile)) {
      throw new IOException("another process already serves the control socket " + socketFile);
    }
    Files.deleteIfExists(socketFile);
    LOG.info("Replaced the stale control socket {} of a daemon that did not stop", socketFile);
  }

  /**
   * Tells whether something accepts connections at a socket file.
   *
   * @param socketFile the socket
   * @return true if a connect succeeds
   */
  static boolean answers(Path socketFile) {
    try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(socketFile))) {
      return probe.isConnected();
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Takes a new connection if the server accepts and has room; else refuses it, with an error line
   * if it is full. Called on the event loop, before the connection reads anything.
   *
   * @param channel the connection, whose pipeline can already write strings
   * @return true if taken
   */
  boolean admit(Channel channel) {
    if (!accepting.get()) {
      channel.close();
      return false;
    }
    if (connections.size() >= limits.maxConnections()) {
      refused.incrementAndGet();
      LOG.warn("Refused a control connection: {} are open, the limit", limits.maxConnections());
      channel
          .writeAndFlush(
              errorLine(
                  "too many control connections (the limit is " + limits.maxConnections() + ")",
                  "too_many_connections"))
          .addListener(ChannelFutureListener.CLOSE);
      return false;
    }
    connections.add(channel);
    channel.closeFuture().addListener(f -> connections.remove(channel));
    return true;
  }

  void opened(ControlHandler handler, Channel channel) {
    handlers.add(handler);
    channel.closeFuture().addListener(f -> handlers.remove(handler));
  }

  Limits limits() {
    return limits;
  }

  Function<ControlConnection, ControlSession> sessions() {
    return sessions;
  }

  String nextConnectionId() {
    return "control-" + nextId.incrementAndGet();
  }

  void droppedOne() {
    dropped.incrementAndGet();
  }

  /**
   * Returns the socket file.
   *
   * @return the path
   */
  public Path socketFile() {
    return socketFile;
  }

  /**
   * Returns how many connections are open.
   *
   * @return the count
   */
  public int connectionCount() {
    return connections.size();
  }

  /**
   * Returns how many connections were refused for being over the limit.
   *
   * @return the count
   */
  public long refusedConnections() {
    return refused.get();
  }

  /**
   * Returns how many connections were dropped because their client read too slowly.
   *
   * @return the count
   */
  public long droppedConnections() {
    return dropped.get();
  }

  /**
   * Stops taking connections and removes the socket file; open connections go on.
   *
   * @throws IOException if the socket file cannot be removed
   */
  public void stopAccepting() throws IOException {
    if (!accepting.compareAndSet(true, false)) {
      return;
    }
    try {
      Channel s = server;
      if (s != null) {
        s.close().awaitUninterruptibly();
      }
    } finally {
      Files.deleteIfExists(socketFile);
    }
  }

  /**
   * Stops taking connections, removes the socket file, lets each connection send what waits for it
   * (for a short while), closes them all and stops the threads.
   */
  @Override
  public void close() {
    try {
      stopAccepting();
    } catch (IOException e) {
      LOG.warn("Cannot remove the control socket {}: {}", socketFile, e.getMessage());
    }
    try {
      List.copyOf(handlers).forEach(ControlHandler::closeAfterFlush);
      long deadline = System.nanoTime() + DRAIN_WAIT.toNanos();
      for (Channel c : List.copyOf(connections)) {
        long left = deadline - System.nanoTime();
        if (left <= 0 || !c.closeFuture().awaitUninterruptibly(left, TimeUnit.NANOSECONDS)) {
          break;
        }
      }
    } finally {
      List.copyOf(handlers).forEach(ControlHandler::abort);
      List.copyOf(connections).forEach(Channel::close);
      shutDownThreads();
    }
    LOG.info("Control socket {} closed", socketFile);
  }

  private void shutDownThreads() {
    // The event loop first, so the sessions hear of their closed connections on the command
    // threads.
    io.shutdownGracefully(0, DRAIN_WAIT.toMillis(), TimeUnit.MILLISECONDS)
        .awaitUninterruptibly(DRAIN_WAIT.toMillis() * 2);
    commands
        .shutdownGracefully(0, DRAIN_WAIT.toMillis(), TimeUnit.MILLISECONDS)
        .awaitUninterruptibly(DRAIN_WAIT.toMillis() * 2);
  }

  static String errorLine(String message, String reason) {
    return JSON.createObjectNode()
        .put("event", "error")
        .put("message", message)
        .put("reason", reason)
        .toString();
  }
}
