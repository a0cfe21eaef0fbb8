package io.parlance.protocol.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.ByteProcessor;
import io.parlance.protocol.ProtocolError;
import io.parlance.protocol.ProtocolException;
import java.util.List;

/**
 * Splits a TCP byte stream into lines ended by {@code \n} (an optional {@code \r} before it is
 * dropped), each at most {@code maxLineBytes} long; empty lines are skipped.
 *
 * <p>A line over the limit is reported at once with {@link ProtocolError#LINE_TOO_LONG}, without
 * buffering it, and the rest of it is discarded up to the next line end. A last line without a line
 * end is delivered when the connection closes, since a sender may close right after writing. Emits
 * retained slices that the next handler owns. One instance per channel.
 */
public final class LineFrameDecoder extends ByteToMessageDecoder {

  private final int maxLineBytes;
  private boolean discarding;
  private int scanned;

  /**
   * Creates a framer.
   *
   * @param maxLineBytes the longest line accepted, in bytes, without its line ending
   */
  public LineFrameDecoder(int maxLineBytes) {
    if (maxLineBytes < 1) {
      throw new IllegalArgumentException("maxLineBytes must be positive: " + maxLineBytes);
    }
    this.maxLineBytes = maxLineBytes;
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
          in.skipBytes(pending);
          scanned = 0;
          discarding = true;
          throw tooLong(pending);
        } else {
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
        in.readerIndex(eol + 1);
        throw tooLong(contentLength);
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
        in.skipBytes(length);
        throw tooLong(contentLength);
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
  }

  private ProtocolException tooLong(int length) {
    return new ProtocolException(
        ProtocolError.LINE_TOO_LONG,
        "line of "
            + (discarding ? "at least " : "")
            + length
            + " bytes is over the limit of "
            + maxLineBytes
            + " bytes");
  }
}
