package io.parlance.bench.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import io.parlance.protocol.codec.ChatLineDecoder;
import io.parlance.protocol.codec.DiscoveryDecoder;
import io.parlance.protocol.codec.DiscoveryEncoder;
import io.parlance.protocol.codec.LineFrameDecoder;
import io.parlance.protocol.codec.PeerLineEncoder;
import io.parlance.protocol.json.WireJson;
import io.parlance.protocol.wire.Announce;
import io.parlance.protocol.wire.ChatLine;
import io.parlance.protocol.wire.DiscoveryMessage;
import io.parlance.protocol.wire.DiscoveryPacket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Encode and decode costs of the plain wire messages: the JSON mapping alone, and the full Netty
 * pipelines (framer, UTF-8 check, JSON) a peer runs for every line and datagram.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CodecBenchmark {

  private static final InetSocketAddress GROUP = new InetSocketAddress("239.255.255.250", 6789);
  private static final InetSocketAddress SENDER = new InetSocketAddress("10.0.0.2", 6789);

  /** Length of the chat line's content, in characters. */
  @Param({"16", "1024"})
  public int contentLength;

  private ChatLine chatLine;
  private byte[] chatLineBytes;
  private Announce announce;
  private byte[] announceBytes;
  private ByteBuf scratch;
  private EmbeddedChannel linePipeline;
  private EmbeddedChannel datagramPipeline;

  /** Builds the messages and pipelines. */
  @Setup(Level.Trial)
  public void setUp() {
    chatLine =
        new ChatLine(
            "alice",
            "é".repeat(contentLength / 4) + "x".repeat(contentLength - contentLength / 4),
            1795259504L);
    chatLineBytes =
        (new String(WireJson.toBytes(chatLine), StandardCharsets.UTF_8) + "\n")
            .getBytes(StandardCharsets.UTF_8);
    announce = new Announce("alice", 36091);
    announceBytes = WireJson.toBytes((DiscoveryMessage) announce);
    scratch = PooledByteBufAllocator.DEFAULT.heapBuffer(4096);
    linePipeline =
        new EmbeddedChannel(
            new LineFrameDecoder(64 * 1024), ChatLineDecoder.INSTANCE, PeerLineEncoder.INSTANCE);
    datagramPipeline = new EmbeddedChannel(DiscoveryDecoder.INSTANCE, DiscoveryEncoder.INSTANCE);
  }

  /** Releases buffers and closes the pipelines. */
  @TearDown(Level.Trial)
  public void tearDown() {
    scratch.release();
    linePipeline.finishAndReleaseAll();
    datagramPipeline.finishAndReleaseAll();
  }

  /**
   * Maps a chat line to JSON in a reused buffer.
   *
   * @return the encoded length
   */
  @Benchmark
  public int chatLineToJson() {
    scratch.clear();
    WireJson.write(scratch, chatLine);
    return scratch.readableBytes();
  }

  /**
   * Maps JSON bytes to a chat line (UTF-8 check included).
   *
   * @return the decoded line
   */
  @Benchmark
  public ChatLine chatLineFromJson() {
    return WireJson.read(
        Unpooled.wrappedBuffer(chatLineBytes, 0, chatLineBytes.length - 1), ChatLine.class);
  }

  /**
   * Writes a chat line through the encoder of a TCP pipeline.
   *
   * @return the encoded length
   */
  @Benchmark
  public int chatLineEncodePipeline() {
    linePipeline.writeOutbound(chatLine);
    ByteBuf out = linePipeline.readOutbound();
    int length = out.readableBytes();
    out.release();
    return length;
  }

  /**
   * Reads a chat line through the framer and decoder of a TCP pipeline.
   *
   * @return the decoded line
   */
  @Benchmark
  public ChatLine chatLineDecodePipeline() {
    linePipeline.writeInbound(Unpooled.wrappedBuffer(chatLineBytes));
    return linePipeline.readInbound();
  }

  /**
   * Writes an announce through the discovery encoder.
   *
   * @return the datagram length
   */
  @Benchmark
  public int announceEncodePipeline() {
    datagramPipeline.writeOutbound(new DiscoveryPacket(announce, GROUP));
    DatagramPacket out = datagramPipeline.readOutbound();
    int length = out.content().readableBytes();
    out.release();
    return length;
  }

  /**
   * Reads an announce through the discovery decoder.
   *
   * @return the decoded packet
   */
  @Benchmark
  public DiscoveryPacket announceDecodePipeline() {
    datagramPipeline.writeInbound(
        new DatagramPacket(Unpooled.wrappedBuffer(announceBytes), GROUP, SENDER));
    return datagramPipeline.readInbound();
  }
}
