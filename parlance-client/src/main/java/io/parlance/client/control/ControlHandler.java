package io.parlance.client.control;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.util.concurrent.EventExecutor;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves one control connection: hands its command lines to its {@link ControlSession} one at a
 * time, in order, on a command thread (never the event loop: a command may do file work), and
 * queues the session's lines for the client within the server's bounds.
 *
 * <p>The channel reads only when asked ({@code autoRead} is off): once the lines read so far are
 * handled, and while less than half the output bound waits for the client. So a client that writes
 * commands faster than it reads their answers is held back by its socket, not buffered, and one
 * that lets the output bound fill (events it does not read) is dropped, so it can never hold up the
 * node or other clients. Everything but {@link #send} runs on the channel's event loop.
 */
final class ControlHandler extends ChannelInboundHandlerAdapter implements ControlConnection {

  private static final Logger LOG = LoggerFactory.getLogger(ControlHandler.class);

  /** What the input holds besides command lines, in its place among them. */
  private enum Signal {
    INVALID_UTF8,
    TOO_LONG,
    END
  }

  private final ControlServer server;
  private final ControlServer.Limits limits;
  private final Channel channel;
  private final EventExecutor commandThread;
  private final String id;
  private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder(); // reports bad bytes
  private final AtomicBoolean sessionClosed = new AtomicBoolean();
  private final ArrayDeque<Object> input = new ArrayDeque<>(); // lines and signals, in order
  private volatile ControlSession session;
  private ChannelHandlerContext ctx;
  private boolean busy; // a line is with the session
  private boolean stopped; // no more input is taken
  private int queuedLines; // guarded by this
  private long queuedChars; // guarded by this
  private boolean closing; // guarded by this: send what waits, then close
  private boolean closed; // guarded by this

  ControlHandler(ControlServer server, Channel channel, EventExecutor commandThread) {
    this.server = server;
    this.limits = server.limits();
    this.channel = channel;
    this.commandThread = commandThread;
    this.id = server.nextConnectionId();
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    server.opened(this, channel);
    try {
      session = server.sessions().apply(this);
    } catch (RuntimeException e) {
      LOG.warn("[{}] Cannot open a control session", id, e);
      abort();
      return;
    }
    LOG.debug("[{}] Control connection opened", id);
    ctx.read();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf frame = (ByteBuf) msg;
    try {
      if (!stopped) {
        input.add(decode(frame));
      }
    } finally {
      frame.release();
    }
  }

  private Object decode(ByteBuf frame) {
    try {
      return utf8.reset().decode(frame.nioBuffer()).toString();
    } catch (CharacterCodingException e) {
      return Signal.INVALID_UTF8;
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    next();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof ChannelInputShutdownEvent && !stopped) {
      input.add(Signal.END); // the client ended its input; its answers still go out
      next();
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof TooLongFrameException) {
      if (!stopped) {
        input.add(Signal.TOO_LONG);
        stopped = true; // after the lines before it
        next();
      }
      return;
    }
    LOG.debug("[{}] The control connection failed: {}", id, cause.toString());
    abort();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    synchronized (this) {
      closed = true;
    }
    stopped = true;
    input.clear();
    closeSession();
    LOG.debug("[{}] Control connection closed", id);
  }

  /** Hands the next line to the session, or reads more once every line was handled. */
  private void next() {
    while (!busy && !input.isEmpty() && !outputHalfFull()) {
      Object item = input.poll();
      if (item instanceof String line) {
        busy = true;
        commandThread.execute(() -> handle(line));
        return;
      }
      switch ((Signal) item) {
        case INVALID_UTF8 ->
            send(ControlServer.errorLine("the command line is not valid UTF-8", "invalid_utf8"));
        case TOO_LONG -> {
          LOG.warn(
              "[{}] Closed the control connection: a command line is over {} bytes",
              id,
              limits.maxLineBytes());
          send(
              ControlServer.errorLine(
                  "command line too long: over "
                      + limits.maxLineBytes()
                      + " bytes; closing the connection",
                  "line_too_long"));
          stop();
          closeAfterFlush();
          return;
        }
        case END -> {
          endOfInput();
          return;
        }
        default -> throw new IllegalStateException("unknown signal " + item);
      }
    }
    if (!busy && input.isEmpty() && !stopped && !outputHalfFull()) {
      ctx.read();
    }
  }

  /** On the command thread: one line to the session, then back to the event loop. */
  private void handle(String line) {
    boolean goOn;
    try {
      goOn = session.line(line);
    } catch (RuntimeException e) {
      LOG.warn("[{}] A control command failed: {}", id, line, e);
      send(ControlServer.errorLine("the command failed: " + e.getMessage(), "failed"));
      goOn = true;
    }
    boolean again = goOn;
    try {
      channel.eventLoop().execute(() -> handled(again));
    } catch (RejectedExecutionException e) {
      LOG.trace("[{}] The control server stopped while a command ran", id);
    }
  }

  private void handled(boolean goOn) {
    busy = false;
    if (goOn) {
      next();
    } else {
      endOfInput(); // the session asked to stop
    }
  }

  private void stop() {
    stopped = true;
    input.clear();
  }

  /** Takes no more input; closes once the session's answers to the lines so far are sent. */
  private void endOfInput() {
    stop();
    session.drained().whenComplete((ok, error) -> closeAfterFlush());
  }

  private synchronized boolean outputHalfFull() {
    return queuedLines >= Math.max(1, limits.maxQueuedLines() / 2)
        || queuedChars >= Math.max(1, limits.maxQueuedChars() / 2);
  }

  /**
   * Queues a line for the client without blocking; drops the connection instead if the client lets
   * too much wait (one longer line is let through when nothing else waits).
   */
  @Override
  public boolean send(String line) {
    int waiting;
    synchronized (this) {
      if (closed || closing) {
        return false;
      }
      waiting = queuedLines;
      boolean full =
          waiting >= limits.maxQueuedLines()
              || (waiting > 0 && queuedChars + line.length() > limits.maxQueuedChars());
      if (!full) {
        int length = line.length();
        queuedLines++;
        queuedChars += length;
        // Written in the order queued: the write is ordered under this lock, and never blocks.
        channel.writeAndFlush(line).addListener(f -> written(length, f.cause()));
        return true;
      }
    }
    server.droppedOne();
    LOG.warn(
        "[{}] Dropped the control connection: its client reads too slowly ({} lines waiting)",
        id,
        waiting);
    abort();
    return false;
  }

  /** On the event loop, once a line left for the client (or could not). */
  private void written(int length, Throwable failure) {
    synchronized (this) {
      queuedLines--;
      queuedChars -= length;
    }
    if (failure != null) {
      LOG.debug("[{}] The control client went away: {}", id, failure.toString());
      abort();
    } else if (ctx != null && !busy) {
      next(); // input may have waited for the output to drain
    }
  }

  /** Sends what waits, then closes; safe from any thread, more than once. */
  void closeAfterFlush() {
    synchronized (this) {
      if (closed || closing) {
        return;
      }
      closing = true;
      channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
  }

  /** Closes at once, dropping what waits; safe from any thread, more than once. */
  void abort() {
    synchronized (this) {
      closed = true;
    }
    channel.close();
    closeSession();
  }

  private void closeSession() {
    ControlSession s = session;
    if (s != null && sessionClosed.compareAndSet(false, true)) {
      try {
        s.closed();
      } catch (RuntimeException e) {
        LOG.warn("[{}] The control session failed to close", id, e);
      }
    }
  }
}
