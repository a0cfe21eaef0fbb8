package io.parlance.protocol.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.ByteProcessor;
import io.parlance.protocol.ProtocolError;
import io.parlance.protocol.ProtocolException;
import java.util.List;
import java.util.Objects;

/**
 * Splits a TCP byte stream into lines ended by {@code \n} (an optional {@code \r} before it is
 * dropped), each at most {@code maxLineBytes} long; empty lines are skipped.
 *
 * <p>A line over the limit is reported at once with {@link ProtocolError#LINE_TOO_LONG}, without
 * buffering it, and the rest of it is discarded up to the next line end. A last line without a line
 * end is delivered when the connection closes, since a sender may close right after writing. Emits
 * retained slices that the next handler owns. One instance per channel.
 *
 * <p>The bytes of a line not yet complete are charged to a {@link Budget} (shared, say, by the
 * connections of one address) while the framer holds them; a line the budget cannot take is refused
 * with {@link ProtocolError#LIMIT_EXCEEDED} and discarded like a long one. Before either refusal is
 * thrown, a {@link RefusedLine} event goes down the pipeline with the line's size and its first
 * bytes, so a handler can tell the user who sent what.
 */
public final class LineFrameDecoder extends ByteToMessageDecoder {

  /** How many of a refused line's first bytes its {@link RefusedLine} event carries. */
  public static final int REFUSED_HEAD_BYTES = 160;

  /**
   * Where the bytes of incomplete lines are accounted. Called on the channel's event loop; shared
   * budgets must be thread-safe.
   */
  public interface Budget {

    /** A budget that takes everything. */
    Budget UNLIMITED =
        new Budget() {
          @Override
          public String reserve(int bytes) {
            return null;
          }

          @Override
          public void release(int bytes) {}
        };

    /**
     * Takes more bytes, or says why it cannot.
     *
     * @param bytes how many more bytes the framer holds
     * @return null if taken, else why not, in words (then nothing was taken)
     */
    String reserve(int bytes);

    /**
     * Gives back bytes the framer no longer holds.
     *
     * @param bytes how many
     */
    void release(int bytes);
  }

  /**
   * A line was refused; fired as a user event just before the refusal is thrown.
   *
   * @param bytes how long the line was when it was refused (at least this long if {@code atLeast})
   * @param atLeast whether the line was still arriving, so it may be longer
   * @param reason why it was refused, in words
   * @param head the line's first bytes, at most {@value #REFUSED_HEAD_BYTES}
   */
  public record RefusedLine(long bytes, boolean atLeast, String reason, byte[] head) {

    /**
     * Checks and keeps the fields.
     *
     * @param bytes how long the line was
     * @param atLeast whether it may be longer
     * @param reason why it was refused
     * @param head its first bytes
     */
    public RefusedLine {
      Objects.requireNonNull(reason, "reason");
      head = head.clone();
    }

    /**
     * Returns a copy of the line's first bytes.
     *
     * @return the bytes
     */
    @Override
    public byte[] head() {
      return head.clone();
    }
  }

  private final int maxLineBytes;
  private final Budget budget;
  private boolean discarding;
  private int scanned;
  private int reserved;

  /**
   * Creates a framer with no budget beyond its line limit.
   *
   * @param maxLineBytes the longest line accepted, in bytes, without its line ending
   */
  public LineFrameDecoder(int maxLineBytes) {
    this(maxLineBytes, Budget.UNLIMITED);
  }

  /**
   * Creates a framer that charges the bytes of incomplete lines to a budget.
   *
   * @param maxLineBytes the longest line accepted, in bytes, without its line ending
   * @param budget where the bytes of incomplete lines are accounted
   */
  public LineFrameDecoder(int maxLineBytes, Budget budget) {
    if (maxLineBytes < 1) {
      throw new IllegalArgumentException("maxLineBytes must be positive: " + maxLineBytes);
    }
    this.maxLineBytes = maxLineBytes;
    this.budget = Objects.requireNonNull(budget, "budget");
  }

  /**
   * Returns the longest line this framer accepts.
   *
   * @return the limit in bytes
   */
  public int maxLineBytes() {
    return maxLineBytes;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    try {
      frame(ctx, in, out);
    } finally {
      account(in.readableBytes());
    }
  }

  private void frame(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    while (in.isReadable()) {
      int searchFrom = in.readerIndex() + scanned;
      int eol = in.forEachByte(searchFrom, in.writerIndex() - searchFrom, ByteProcessor.FIND_LF);
      if (eol < 0) {
        int pending = in.readableBytes();
        if (discarding) {
          in.skipBytes(pending);
          scanned = 0;
        } else if (pending > maxLineBytes + 1) {
          // +1: the next byte may be the \r of a \r\n ending a line of exactly maxLineBytes.
          throw refuse(ctx, in, pending, ProtocolError.LINE_TOO_LONG, tooLong(pending, true));
        } else {
          String refusal = pending > reserved ? budget.reserve(pending - reserved) : null;
          if (refusal != null) {
            throw refuse(ctx, in, pending, ProtocolError.LIMIT_EXCEEDED, refusal);
          }
          reserved = Math.max(reserved, pending);
          scanned = pending;
        }
        return;
      }
      scanned = 0;
      int length = eol - in.readerIndex();
      if (discarding) {
        in.readerIndex(eol + 1);
        discarding = false;
        continue;
      }
      int contentLength = length > 0 && in.getByte(eol - 1) == '\r' ? length - 1 : length;
      if (contentLength > maxLineBytes) {
        fire(ctx, in, contentLength, false, tooLong(contentLength, false));
        in.readerIndex(eol + 1);
        throw tooLongException(contentLength, false);
      }
      ByteBuf line = in.readRetainedSlice(contentLength);
      in.readerIndex(eol + 1);
      if (contentLength == 0) {
        line.release();
      } else {
        out.add(line);
      }
    }
  }

  @Override
  protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out)
      throws Exception {
    decode(ctx, in, out);
    if (in.isReadable() && !discarding) {
      int length = in.readableBytes();
      int contentLength = in.getByte(in.writerIndex() - 1) == '\r' ? length - 1 : length;
      if (contentLength > maxLineBytes) {
        fire(ctx, in, contentLength, false, tooLong(contentLength, false));
        in.skipBytes(length);
        throw tooLongException(contentLength, false);
      }
      ByteBuf line = in.readRetainedSlice(contentLength);
      in.skipBytes(in.readableBytes());
      if (contentLength == 0) {
        line.release();
      } else {
        out.add(line);
      }
    }
    scanned = 0;
    account(0);
  }

  @Override
  protected void handlerRemoved0(ChannelHandlerContext ctx) {
    account(0);
  }

  /** Gives back what the budget holds beyond the bytes still pending. */
  private void account(int pending) {
    if (reserved > pending) {
      budget.release(reserved - pending);
      reserved = pending;
    }
  }

  /**
   * Tells the pipeline of a line refused while it is still arriving, discards what there is of it
   * and the rest up to its line end, and returns the error to throw.
   */
  private ProtocolException refuse(
      ChannelHandlerContext ctx, ByteBuf in, int length, ProtocolError kind, String reason) {
    fire(ctx, in, length, true, reason);
    in.skipBytes(in.readableBytes());
    scanned = 0;
    discarding = true;
    return new ProtocolException(kind, reason);
  }

  private static void fire(
      ChannelHandlerContext ctx, ByteBuf in, int length, boolean atLeast, String reason) {
    byte[] head =
        ByteBufUtil.getBytes(
            in,
            in.readerIndex(),
            Math.min(Math.min(REFUSED_HEAD_BYTES, length), in.readableBytes()));
    ctx.fireUserEventTriggered(new RefusedLine(length, atLeast, reason, head));
  }

  private String tooLong(int length, boolean atLeast) {
    return "line of "
        + (atLeast ? "at least " : "")
        + length
        + " bytes is over the limit of "
        + maxLineBytes
        + " bytes";
  }

  private ProtocolException tooLongException(int length, boolean atLeast) {
    return new ProtocolException(ProtocolError.LINE_TOO_LONG, tooLong(length, atLeast));
  }
}
