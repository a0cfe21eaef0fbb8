package io.parlance.protocol.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.parlance.protocol.ProtocolError;
import io.parlance.protocol.ProtocolException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Fuzzes the TCP line framer with any bytes, cut into any chunks, against a model of what it must
 * do: the lines of the stream, each without its {@code \r\n} or {@code \n}, empty ones skipped, and
 * one {@link ProtocolError#LINE_TOO_LONG} per line over the limit. Every buffer is released.
 */
class LineFrameDecoderFuzzTest {

  /** One thing the framer reports: a line, or a line too long (null). */
  private record Event(byte[] line) {
    static final Event TOO_LONG = new Event(null);

    @Override
    public boolean equals(Object o) {
      return o instanceof Event e && Arrays.equals(line, e.line);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(line);
    }

    @Override
    public String toString() {
      return line == null ? "TOO_LONG" : ByteBufUtil.hexDump(line);
    }
  }

  @FuzzTest
  void framesAnyStreamCutAnywhereAsTheModelSaysAndReleasesEveryBuffer(FuzzedDataProvider data) {
    int maxLineBytes = data.consumeInt(1, 48);
    boolean closeAtEnd = data.consumeBoolean();
    int chunks = data.consumeInt(1, 8);
    List<byte[]> parts = new ArrayList<>();
    for (int i = 0; i < chunks - 1; i++) {
      parts.add(data.consumeBytes(data.consumeInt(0, 64)));
    }
    parts.add(data.consumeRemainingAsBytes());
    byte[] stream = concat(parts);

    EmbeddedChannel channel = new EmbeddedChannel(new LineFrameDecoder(maxLineBytes));
    List<ByteBuf> inputs = new ArrayList<>();
    List<Event> seen = new ArrayList<>();
    for (byte[] part : parts) {
      if (part.length == 0) {
        continue; // an empty buffer is a shared constant that is never released
      }
      ByteBuf in = Unpooled.wrappedBuffer(part);
      inputs.add(in);
      collect(seen, maxLineBytes, () -> channel.writeInbound(in), channel);
    }
    List<Event> expected = model(stream, maxLineBytes, closeAtEnd);
    if (closeAtEnd) {
      collect(seen, maxLineBytes, channel::finish, channel);
    }
    try {
      channel.finishAndReleaseAll();
    } catch (ProtocolException e) {
      // Closing now decodes what is still buffered; the stream the model saw ended before.
      assertThat(closeAtEnd).isFalse();
    }

    // After a line too long the framer may drop what was buffered with it when the connection
    // closes (the connection is being closed for it anyway): what it reports is the model's start,
    // and stops short of it only right after a line too long.
    assertThat(seen.size()).isLessThanOrEqualTo(expected.size());
    assertThat(seen).isEqualTo(expected.subList(0, seen.size()));
    if (seen.size() < expected.size()) {
      assertThat(seen).isNotEmpty().last().isEqualTo(Event.TOO_LONG);
    }
    for (ByteBuf in : inputs) {
      assertThat(in.refCnt()).as("input buffer released").isZero();
    }
  }

  private interface Step {
    void run();
  }

  private static void collect(List<Event> seen, int max, Step step, EmbeddedChannel channel) {
    try {
      step.run();
    } catch (ProtocolException e) {
      // The lines read before the error are queued; the error comes after them.
      drain(seen, max, channel);
      assertThat(e.kind()).isEqualTo(ProtocolError.LINE_TOO_LONG);
      seen.add(Event.TOO_LONG);
      return;
    }
    drain(seen, max, channel);
  }

  private static void drain(List<Event> seen, int max, EmbeddedChannel channel) {
    for (ByteBuf line; (line = channel.readInbound()) != null; ) {
      try {
        assertThat(line.readableBytes()).isBetween(1, max);
        seen.add(new Event(ByteBufUtil.getBytes(line)));
      } finally {
        line.release();
      }
    }
  }

  /** What a framer with this limit must report for the whole stream. */
  static List<Event> model(byte[] stream, int max, boolean closed) {
    List<Event> events = new ArrayList<>();
    int start = 0;
    for (int i = 0; i <= stream.length; i++) {
      boolean end = i == stream.length;
      if (end && (!closed || start == stream.length)) {
        // An unterminated last line is reported only at close, unless it is already too long.
        if (!closed && stream.length - start > max + 1) {
          events.add(Event.TOO_LONG);
        }
        break;
      }
      if (end || stream[i] == '\n') {
        int stop = i > start && stream[i - 1] == '\r' ? i - 1 : i;
        int length = stop - start;
        if (length > max) {
          events.add(Event.TOO_LONG);
        } else if (length > 0) {
          events.add(new Event(Arrays.copyOfRange(stream, start, stop)));
        }
        start = i + 1;
      }
    }
    return events;
  }

  private static byte[] concat(List<byte[]> parts) {
    int total = parts.stream().mapToInt(p -> p.length).sum();
    byte[] all = new byte[total];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, all, at, p.length);
      at += p.length;
    }
    return all;
  }
}
