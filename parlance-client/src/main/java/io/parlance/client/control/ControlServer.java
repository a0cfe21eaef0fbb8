package io.parlance.client.control;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
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
 * <p>Each connection gets a {@link ControlSession} and two threads of a small bounded pool (a
 * blocking reader and a blocking writer), never a Netty event loop. Everything is bounded: the
 * number of connections, the length of a command line (a longer one gets an error and the
 * connection is closed) and the output waiting for a client (a client that reads too slowly is
 * dropped, so it can never hold up the node or other clients).
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

  private final Path socketFile;
  private final Limits limits;
  private final Function<ControlConnection, ControlSession> sessions;
  private final ServerSocketChannel server;
  private final ThreadPoolExecutor workers;
  private final Thread acceptor;
  private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
  private final Object drain = new Object();
  private final AtomicInteger nextId = new AtomicInteger();
  private final AtomicLong refused = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicBoolean accepting = new AtomicBoolean(true);

  private ControlServer(
      Path socketFile,
      Limits limits,
      Function<ControlConnection, ControlSession> sessions,
      ServerSocketChannel server) {
    this.socketFile = socketFile;
    this.limits = limits;
    this.sessions = sessions;
    this.server = server;
    AtomicInteger threads = new AtomicInteger();
    int poolSize = 2 * limits.maxConnections();
    this.workers =
        new ThreadPoolExecutor(
            poolSize,
            poolSize,
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            r -> daemonThread(r, "parlance-control-" + threads.incrementAndGet()));
    workers.allowCoreThreadTimeOut(true);
    this.acceptor = daemonThread(this::acceptLoop, "parlance-control-accept");
  }

  private static Thread daemonThread(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  /**
   * Binds the control socket and starts serving it. A socket file left by a daemon that did not
   * stop cleanly (nothing answers on it) is replaced; one that answers is not touched.
   *
   * @param socketFile where to bind; its directory should be owner-only
   * @param limits the bounds
   * @param sessions makes the session of each new connection
   * @return the running server
   * @throws IOException if the socket cannot be bound, saying why
   */
  public static ControlServer start(
      Path socketFile, Limits limits, Function<ControlConnection, ControlSession> sessions)
      throws IOException {
    Objects.requireNonNull(socketFile, "socketFile");
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(sessions, "sessions");
    ControlServer s = new ControlServer(socketFile, limits, sessions, bind(socketFile));
    s.acceptor.start();
    LOG.info("Control socket listening at {}", socketFile);
    return s;
  }

  private static ServerSocketChannel bind(Path socketFile) throws IOException {
    replaceStale(socketFile);
    ServerSocketChannel channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      channel.bind(UnixDomainSocketAddress.of(socketFile), 16);
      if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
        Files.setPosixFilePermissions(socketFile, SOCKET_PERMISSIONS);
      }
      return channel;
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw new IOException(
          "cannot create the control socket " + socketFile + ": " + e.getMessage(), e);
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

  private void acceptLoop() {
    while (accepting.get()) {
      SocketChannel channel;
      try {
        channel = server.accept();
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException e) {
        if (!server.isOpen()) {
          return;
        }
        LOG.warn("Cannot accept a control connection: {}", e.getMessage());
        continue;
      }
      admit(channel);
    }
  }

  private void admit(SocketChannel channel) {
    if (!accepting.get()) {
      closeQuietly(channel);
      return;
    }
    if (connections.size() >= limits.maxConnections()) {
      refused.incrementAndGet();
      LOG.warn("Refused a control connection: {} are open, the limit", limits.maxConnections());
      try {
        writeLine(
            channel,
            errorLine(
                "too many control connections (the limit is " + limits.maxConnections() + ")",
                "too_many_connections"));
      } catch (IOException e) {
        LOG.debug("Cannot tell a refused control client why: {}", e.toString());
      }
      closeQuietly(channel);
      return;
    }
    Connection c = new Connection(channel, "control-" + nextId.incrementAndGet());
    connections.add(c);
    try {
      c.session = sessions.apply(c);
    } catch (RuntimeException e) {
      LOG.warn("[{}] Cannot open a control session", c.id, e);
      c.abort();
      c.loopEnded();
      c.loopEnded();
      return;
    }
    LOG.debug("[{}] Control connection opened", c.id);
    try {
      workers.execute(c::readLoop);
    } catch (RejectedExecutionException e) {
      c.abort();
      c.loopEnded();
      c.loopEnded();
      return;
    }
    try {
      workers.execute(c::writeLoop);
    } catch (RejectedExecutionException e) {
      c.abort();
      c.loopEnded();
    }
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
      server.close();
    } finally {
      Files.deleteIfExists(socketFile);
    }
  }

  /**
   * Stops taking connections, removes the socket file, lets each connection send what waits for it
   * (for a short while) and closes them all.
   */
  @Override
  public void close() {
    try {
      stopAccepting();
    } catch (IOException e) {
      LOG.warn("Cannot remove the control socket {}: {}", socketFile, e.getMessage());
    }
    List<Connection> open = List.copyOf(connections);
    open.forEach(Connection::closeAfterFlush);
    long deadline = System.nanoTime() + DRAIN_WAIT.toNanos();
    try {
      synchronized (drain) {
        long left;
        while (!connections.isEmpty() && (left = deadline - System.nanoTime()) > 0) {
          drain.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      List.copyOf(connections).forEach(Connection::abort);
      workers.shutdown();
      try {
        if (!workers.awaitTermination(DRAIN_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
          workers.shutdownNow();
        }
        acceptor.join(DRAIN_WAIT.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    LOG.info("Control socket {} closed", socketFile);
  }

  static String errorLine(String message, String reason) {
    return JSON.createObjectNode()
        .put("event", "error")
        .put("message", message)
        .put("reason", reason)
        .toString();
  }

  private static void writeLine(SocketChannel channel, String line) throws IOException {
    ByteBuffer bytes = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
    while (bytes.hasRemaining()) {
      channel.write(bytes);
    }
  }

  private static void closeQuietly(SocketChannel channel) {
    try {
      channel.close();
    } catch (IOException e) {
      LOG.debug("Cannot close a control connection: {}", e.toString());
    }
  }

  /** One client: its output queue, its reader and writer loops. */
  private final class Connection implements ControlConnection {

    private final SocketChannel channel;
    private final String id;
    private final ArrayDeque<String> queue = new ArrayDeque<>();
    private final AtomicInteger loops = new AtomicInteger(2);
    private final AtomicBoolean sessionClosed = new AtomicBoolean();
    private volatile ControlSession session;
    private long queuedChars; // guarded by this
    private boolean closing; // guarded by this: send what waits, then close
    private boolean closed; // guarded by this

    Connection(SocketChannel channel, String id) {
      this.channel = channel;
      this.id = id;
    }

    @Override
    public String id() {
      return id;
    }

    @Override
    public boolean send(String line) {
      int waiting;
      synchronized (this) {
        if (closed || closing) {
          return false;
        }
        waiting = queue.size();
        boolean full =
            waiting >= limits.maxQueuedLines()
                || (waiting > 0 && queuedChars + line.length() > limits.maxQueuedChars());
        if (!full) {
          queue.addLast(line);
          queuedChars += line.length();
          notifyAll();
          return true;
        }
      }
      dropped.incrementAndGet();
      LOG.warn(
          "[{}] Dropped the control connection: its client reads too slowly ({} lines waiting)",
          id,
          waiting);
      abort();
      return false;
    }

    void closeAfterFlush() {
      synchronized (this) {
        closing = true;
        notifyAll();
      }
    }

    /** Closes at once, dropping what waits; safe from any thread, more than once. */
    void abort() {
      synchronized (this) {
        closed = true;
        queue.clear();
        queuedChars = 0;
        notifyAll();
      }
      closeQuietly(channel);
      ControlSession s = session;
      if (s != null && sessionClosed.compareAndSet(false, true)) {
        try {
          s.closed();
        } catch (RuntimeException e) {
          LOG.warn("[{}] The control session failed to close", id, e);
        }
      }
    }

    void loopEnded() {
      if (loops.decrementAndGet() == 0) {
        connections.remove(this);
        LOG.debug("[{}] Control connection closed", id);
        synchronized (drain) {
          drain.notifyAll();
        }
      }
    }

    void writeLoop() {
      try {
        while (true) {
          String line;
          synchronized (this) {
            while (queue.isEmpty() && !closing && !closed) {
              wait();
            }
            if (closed || queue.isEmpty()) {
              break;
            }
            line = queue.pollFirst();
            queuedChars -= line.length();
          }
          writeLine(channel, line);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (IOException e) {
        LOG.debug("[{}] The control client went away: {}", id, e.toString());
      } finally {
        abort();
        loopEnded();
      }
    }

    void readLoop() {
      ByteBuffer buffer = ByteBuffer.allocate(8192);
      byte[] line = new byte[256];
      int length = 0;
      CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder();
      try {
        reading:
        while (true) {
          buffer.clear();
          if (channel.read(buffer) < 0) {
            break;
          }
          buffer.flip();
          while (buffer.hasRemaining()) {
            byte b = buffer.get();
            if (b == '\n') {
              if (!handle(decoder, line, length)) {
                break reading;
              }
              length = 0;
              continue;
            }
            if (length >= limits.maxLineBytes()) {
              LOG.warn(
                  "[{}] Closed the control connection: a command line is over {} bytes",
                  id,
                  limits.maxLineBytes());
              send(
                  errorLine(
                      "command line too long: over "
                          + limits.maxLineBytes()
                          + " bytes; closing the connection",
                      "line_too_long"));
              closeAfterFlush();
              return;
            }
            if (length == line.length) {
              line = Arrays.copyOf(line, Math.min(line.length * 2, limits.maxLineBytes()));
            }
            line[length++] = b;
          }
        }
        // The client ended its input, or the session asked to stop: close once answered.
        session.drained().whenComplete((ok, error) -> closeAfterFlush());
      } catch (ClosedChannelException e) {
        LOG.trace("[{}] Control connection closed while reading", id);
      } catch (IOException e) {
        LOG.debug("[{}] Cannot read from the control client: {}", id, e.toString());
        abort();
      } finally {
        loopEnded();
      }
    }

    private boolean handle(CharsetDecoder decoder, byte[] bytes, int length) {
      int n = length > 0 && bytes[length - 1] == '\r' ? length - 1 : length;
      String text;
      try {
        CharBuffer chars = decoder.reset().decode(ByteBuffer.wrap(bytes, 0, n));
        text = chars.toString();
      } catch (CharacterCodingException e) {
        send(errorLine("the command line is not valid UTF-8", "invalid_utf8"));
        return true;
      }
      try {
        return session.line(text);
      } catch (RuntimeException e) {
        LOG.warn("[{}] A control command failed: {}", id, text, e);
        send(errorLine("the command failed: " + e.getMessage(), "failed"));
        return true;
      }
    }
  }
}
