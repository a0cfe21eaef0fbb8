package io.parlance.client.messaging;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.parlance.protocol.LogLimiter;
import io.parlance.protocol.ProtocolException;
import io.parlance.protocol.wire.Ack;
import io.parlance.protocol.wire.ChatLine;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands each chat line received on an inbound connection to the {@link InboundSink} and acts on the
 * outcomes: writes the acknowledgements, closes the connection when asked, and stops reading while
 * {@value #HIGH_WATER} lines (or {@value #HIGH_WATER_CHARS} characters of content) wait for an
 * outcome until {@value #LOW_WATER} (and {@value #LOW_WATER_CHARS}) are left, so a fast sender
 * slows to the store's pace instead of filling the heap, with lines of up to 1 MiB too. Closes the
 * connection, with a log line naming it, on bad input or an error. One per channel.
 *
 * <p>Outcomes may settle on another thread (the store's): one task on the event loop then writes
 * the acknowledgements of all settled so far with one flush (one TLS record and one system call for
 * a whole group commit, not one per message).
 */
public final class InboundMessageHandler extends SimpleChannelInboundHandler<ChatLine> {

  /** Lines of one connection waiting for an outcome at which reading it pauses. */
  public static final int HIGH_WATER = 1024;

  /** Lines of one connection waiting for an outcome at which reading it resumes. */
  public static final int LOW_WATER = 256;

  /** Characters of content of one connection waiting for an outcome at which reading pauses. */
  public static final int HIGH_WATER_CHARS = 4 * 1024 * 1024;

  /** Characters of content of one connection waiting for an outcome at which reading resumes. */
  public static final int LOW_WATER_CHARS = 1024 * 1024;

  private static final Logger LOG = LoggerFactory.getLogger(InboundMessageHandler.class);

  /** Bad input from the network: one short line each, rate-limited. */
  private static final LogLimiter BAD_INPUT = new LogLimiter();

  /** Errors that are not about the input: with the stack trace, rate-limited too. */
  private static final LogLimiter ERRORS = new LogLimiter();

  private final InboundSink sink;
  private ChannelHandlerContext ctx;
  private String name = "?";
  private int waiting; // event loop only
  private long waitingChars; // event loop only
  private final Object lock = new Object();
  private List<Ack> acks = new ArrayList<>(); // guarded by lock
  private int settled; // guarded by lock
  private long settledChars; // guarded by lock
  private boolean close; // guarded by lock
  private boolean scheduled; // guarded by lock

  /**
   * Creates the handler of one connection.
   *
   * @param sink where chat lines go
   */
  public InboundMessageHandler(InboundSink sink) {
    this.sink = Objects.requireNonNull(sink, "sink");
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    this.name = ctx.channel().id().asShortText();
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, ChatLine line) {
    InboundMessage message =
        new InboundMessage(
            line,
            ctx.channel().remoteAddress(),
            PeerTls.provenPeer(ctx.channel()).orElse(null),
            name);
    int chars = line.content().length();
    waitingChars += chars;
    if (++waiting >= HIGH_WATER || waitingChars >= HIGH_WATER_CHARS) {
      ReadPauses.pause(ctx.channel(), ReadPauses.STORE);
    }
    CompletableFuture<InboundSink.Outcome> outcome;
    try {
      outcome = sink.received(message).toCompletableFuture();
    } catch (RuntimeException e) {
      outcome = CompletableFuture.failedFuture(e);
    }
    String id = line.id();
    outcome.whenComplete(
        (o, error) -> settled(error != null ? InboundSink.Outcome.CLOSE : o, id, chars));
  }

  /** Called once a line's outcome is known, on any thread. */
  private void settled(InboundSink.Outcome outcome, String id, int chars) {
    boolean schedule;
    synchronized (lock) {
      if (outcome == InboundSink.Outcome.ACKNOWLEDGE && id != null) {
        acks.add(new Ack(id));
      } else if (outcome == InboundSink.Outcome.CLOSE) {
        close = true;
      }
      settled++;
      settledChars += chars;
      schedule = !scheduled;
      scheduled = true;
    }
    if (schedule) {
      try {
        ctx.executor().execute(this::writeSettled);
      } catch (RejectedExecutionException e) {
        LOG.debug("[{}] Event loop gone; nothing to acknowledge", name);
      }
    }
  }

  /** On the event loop: writes what settled so far, and resumes reading when few are left. */
  private void writeSettled() {
    List<Ack> toWrite;
    int done;
    long doneChars;
    boolean closing;
    synchronized (lock) {
      toWrite = acks;
      done = settled;
      doneChars = settledChars;
      closing = close;
      acks = new ArrayList<>();
      settled = 0;
      settledChars = 0;
      scheduled = false;
    }
    if (!toWrite.isEmpty() && ctx.channel().isActive()) {
      for (Ack ack : toWrite) {
        ctx.write(ack, ctx.voidPromise());
      }
      ctx.flush();
    }
    if (closing) {
      ctx.close();
    }
    waiting -= done;
    waitingChars -= doneChars;
    if (waiting <= LOW_WATER
        && waitingChars <= LOW_WATER_CHARS
        && ReadPauses.pausedFor(ctx.channel(), ReadPauses.STORE)) {
      ReadPauses.resume(ctx.channel(), ReadPauses.STORE);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    String id = ctx.channel().id().asShortText();
    Object remote = ctx.channel().remoteAddress();
    if (cause instanceof ProtocolException p) {
      BAD_INPUT.log(
          more ->
              LOG.warn(
                  "[{}] Closed the connection from {}: {} ({}){}",
                  id,
                  remote,
                  LogLimiter.oneLine(p.getMessage()),
                  p.kind(),
                  more));
    } else if (Disconnects.isOrdinary(cause)) {
      LOG.debug("[{}] Connection from {} ended: {}", id, remote, cause.toString());
    } else if (Disconnects.isBadInput(cause)) {
      // Undecodable bytes (a failed TLS handshake, garbage after 0x16): one line, no stack trace
      // and no hex dump of what the peer sent.
      BAD_INPUT.log(
          more ->
              LOG.warn(
                  "[{}] Closed the connection from {}: unreadable input: {}{}",
                  id,
                  remote,
                  LogLimiter.describe(cause),
                  more));
    } else {
      ERRORS.log(
          more ->
              LOG.warn(
                  "[{}] Closed the connection from {} after an error{}", id, remote, more, cause));
    }
    ctx.close();
  }
}
