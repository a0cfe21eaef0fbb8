package io.parlance.bench.transport;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.parlance.bench.Allocation;
import io.parlance.bench.Args;
import io.parlance.bench.CpuTime;
import io.parlance.bench.Machine;
import io.parlance.bench.Pacing;
import io.parlance.bench.Spread;
import io.parlance.client.messaging.AckListener;
import io.parlance.client.messaging.ConnectionPool;
import io.parlance.client.messaging.InboundSink;
import io.parlance.client.messaging.MessageServer;
import io.parlance.client.messaging.PeerTls;
import io.parlance.client.security.Identity;
import io.parlance.client.security.PeerId;
import io.parlance.client.security.TlsContexts;
import io.parlance.protocol.Protocol;
import io.parlance.protocol.wire.ChatLine;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * The connection layer alone, as the nodes use it, without discovery, acknowledgements or the
 * store: a {@link ConnectionPool} sends chat lines over one reused loopback connection to a {@link
 * MessageServer} that counts them, plain or TLS 1.3 with the identities' certificates and the id
 * check. It measures
 *
 * <ul>
 *   <li><b>throughput</b>: {@code --messages} lines of {@code --size} bytes sent as fast as the
 *       pool takes them, timed until the server has read the last one, after {@code --warmup} sent
 *       the same way on the same connection;
 *   <li><b>latency</b> ({@code --rate R}): one line every 1/R s on a fixed schedule instead, each
 *       timed from when it was due until the server read it (no coordinated omission);
 *   <li><b>set-up</b>: {@code --connections} times a new pool's first line, from the call until the
 *       line is written (TCP connect; for TLS the handshake and the id check too), the first tenth
 *       not counted (JIT warm-up); HdrHistogram percentiles.
 * </ul>
 *
 * <p>Bounded: at most {@value #MAX_MESSAGES} messages and {@value #MAX_CONNECTIONS} connections a
 * run, at most {@value #MAX_RUNS} runs, every wait 60 s at most; loopback only.
 *
 * <pre>
 * scripts/bench-transport.sh --mode tls --messages 500000 --warmup 200000 --runs 5
 * </pre>
 */
public final class TransportBenchmark {

  /** The most messages one run may send. */
  public static final int MAX_MESSAGES = 10_000_000;

  /** The most connections one run may set up. */
  public static final int MAX_CONNECTIONS = 5_000;

  /** The most runs. */
  public static final int MAX_RUNS = 20;

  private static final Set<String> OPTIONS =
      Set.of("mode", "messages", "warmup", "size", "connections", "runs", "rate");
  private static final Duration WAIT = Duration.ofSeconds(60);

  /**
   * What one invocation does.
   *
   * @param tls whether connections are TLS
   * @param messages measured messages per run
   * @param warmup warm-up messages per run
   * @param size content bytes
   * @param connections connections set up per run (0: none)
   * @param runs runs
   * @param rate messages per second on a fixed schedule (open loop), or 0 for as fast as it goes
   */
  public record Settings(
      boolean tls, int messages, int warmup, int size, int connections, int runs, int rate) {

    /**
     * Closed-loop settings.
     *
     * @param tls whether connections are TLS
     * @param messages measured messages per run
     * @param warmup warm-up messages per run
     * @param size content bytes
     * @param connections connections set up per run (0: none)
     * @param runs runs
     */
    public Settings(boolean tls, int messages, int warmup, int size, int connections, int runs) {
      this(tls, messages, warmup, size, connections, runs, 0);
    }
  }

  /**
   * One run.
   *
   * @param messages messages the server read
   * @param elapsedNanos from the first send until the server read the last
   * @param cpu CPU time of the process while sending
   * @param allocatedBytes heap allocated while sending
   * @param setup connection set-up times, nanoseconds (empty without {@code --connections})
   * @param encrypted whether the server saw the connections' first byte as TLS
   * @param latency from when each message was due until the server read it, nanoseconds (open loop
   *     only)
   */
  public record Result(
      long messages,
      long elapsedNanos,
      CpuTime cpu,
      long allocatedBytes,
      Histogram setup,
      boolean encrypted,
      Histogram latency) {

    /**
     * Returns the messages per second.
     *
     * @return the rate
     */
    public double perSecond() {
      return elapsedNanos == 0 ? 0 : messages / (elapsedNanos / 1e9);
    }

    /**
     * Returns the CPU time per message, both ends.
     *
     * @return microseconds
     */
    public double cpuMicrosPerMessage() {
      return messages == 0 ? 0 : cpu.totalNanos() / 1e3 / messages;
    }

    /**
     * Returns the heap bytes allocated per message, both ends.
     *
     * @return bytes
     */
    public double bytesPerMessage() {
      return messages == 0 ? 0 : (double) allocatedBytes / messages;
    }
  }

  private final Settings settings;
  private final PrintStream out;

  /**
   * Creates the benchmark.
   *
   * @param settings what to do
   * @param out where the report goes
   */
  public TransportBenchmark(Settings settings, PrintStream out) {
    this.settings = settings;
    this.out = out;
  }

  /**
   * Runs it from the command line.
   *
   * @param args options, see the class comment
   * @throws Exception if a run fails
   */
  public static void main(String[] args) throws Exception {
    Args a = Args.parse(args, OPTIONS);
    String mode = a.text("mode", "plain");
    if (!mode.equals("plain") && !mode.equals("tls")) {
      throw new IllegalArgumentException("unknown mode '" + mode + "'; known: plain, tls");
    }
    Settings settings =
        new Settings(
            mode.equals("tls"),
            (int) a.number("messages", 500_000, 1, MAX_MESSAGES),
            (int) a.number("warmup", 200_000, 0, MAX_MESSAGES),
            (int) a.number("size", 64, 1, 60_000),
            (int) a.number("connections", 300, 0, MAX_CONNECTIONS),
            (int) a.number("runs", 5, 1, MAX_RUNS),
            (int) a.number("rate", 0, 0, 1_000_000));
    System.out.println("Machine: " + Machine.describe());
    System.out.println("Arguments: " + String.join(" ", args));
    new TransportBenchmark(settings, System.out).run();
  }

  /**
   * Runs every run, printing each and the spread.
   *
   * @return the results
   * @throws Exception if a run fails
   */
  public List<Result> run() throws Exception {
    String name = settings.tls() ? "tls" : "plain";
    out.printf(
        Locale.ROOT,
        "Transport %s: one reused %s connection, %,d messages of %d bytes per run after %,d"
            + " warm-up, %s; %d connection set-ups%n",
        name,
        settings.tls() ? "TLS 1.3" : "plain TCP",
        settings.messages(),
        settings.size(),
        settings.warmup(),
        settings.rate() == 0 ? "as fast as it goes" : "at " + settings.rate() + "/s",
        settings.connections());
    List<Result> results = new ArrayList<>();
    for (int run = 1; run <= settings.runs(); run++) {
      Result r = runOnce();
      results.add(r);
      out.printf(Locale.ROOT, "run %d/%d: %s%n", run, settings.runs(), describe(r));
    }
    out.printf(
        Locale.ROOT,
        "Summary %s, %d run(s), median (min–max): %s messages/s%s; CPU %s µs/message; %s bytes"
            + " allocated/message%s%n",
        name,
        results.size(),
        Spread.of(results.stream().mapToDouble(Result::perSecond).toArray()).format("%,.0f"),
        settings.rate() == 0
            ? ""
            : " at "
                + settings.rate()
                + "/s; latency p50 "
                + Spread.ofPercentileMillis(results, Result::latency, 50).format("%.3f")
                + " ms, p99 "
                + Spread.ofPercentileMillis(results, Result::latency, 99).format("%.3f")
                + " ms, p99.9 "
                + Spread.ofPercentileMillis(results, Result::latency, 99.9).format("%.3f")
                + " ms",
        Spread.of(results.stream().mapToDouble(Result::cpuMicrosPerMessage).toArray())
            .format("%.2f"),
        Spread.of(results.stream().mapToDouble(Result::bytesPerMessage).toArray()).format("%,.0f"),
        settings.connections() == 0
            ? ""
            : "; set-up p50 "
                + Spread.ofPercentileMillis(results, Result::setup, 50).format("%.2f")
                + " ms, p90 "
                + Spread.ofPercentileMillis(results, Result::setup, 90).format("%.2f")
                + " ms, p99 "
                + Spread.ofPercentileMillis(results, Result::setup, 99).format("%.2f")
                + " ms");
    return results;
  }

  private Result runOnce() throws Exception {
    Identity serverIdentity = Identity.generate();
    Identity clientIdentity = Identity.generate();
    EventLoopGroup group = new NioEventLoopGroup(2);
    AtomicLong received = new AtomicLong();
    AtomicLong lastNanos = new AtomicLong();
    AtomicLong encrypted = new AtomicLong();
    Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
    try {
      MessageServer server =
          new MessageServer(
              new InetSocketAddress("127.0.0.1", 0),
              message -> {
                ChatLine line = message.line();
                if (message.provenPeer().isPresent()) {
                  encrypted.incrementAndGet();
                }
                long now = System.nanoTime();
                String content = line.content();
                int bar = content.indexOf('|');
                if (bar > 0) {
                  // One connection, so one event loop thread records; read after the count.
                  latency.recordValue(Math.max(0, now - Long.parseLong(content, 0, bar, 10)));
                }
                lastNanos.set(now);
                received.incrementAndGet();
                return InboundSink.Outcome.NOTHING.now();
              },
              Math.max(16, settings.connections() + 16),
              Protocol.MAX_LINE_BYTES,
              Integer.MAX_VALUE,
              Duration.ofMinutes(1),
              new PeerTls.Contexts(
                  TlsContexts.server(serverIdentity), TlsContexts.client(serverIdentity), false));
      InetSocketAddress at = server.start(group);
      PeerId expected = settings.tls() ? serverIdentity.id() : null;
      var clientContext = TlsContexts.client(clientIdentity);
      ConnectionPool pool = pool(group, clientContext);
      try {
        send(pool, at, expected, settings.warmup(), received);
        received.set(0);
        encrypted.set(0);
        latency.reset();
        CpuTime cpuBefore = CpuTime.now();
        long allocatedBefore = Allocation.allocatedBytes();
        long start = System.nanoTime();
        send(pool, at, expected, settings.messages(), received);
        long elapsed = lastNanos.get() - start;
        CpuTime cpu = CpuTime.now().minus(cpuBefore);
        long allocated = Allocation.allocatedBytes() - allocatedBefore;
        long messages = received.get();
        boolean allEncrypted = encrypted.get() == messages;
        Histogram setup = setUps(group, clientContext, at, expected);
        return new Result(messages, elapsed, cpu, allocated, setup, allEncrypted, latency.copy());
      } finally {
        pool.close(Duration.ofSeconds(1));
        server.close(Duration.ofSeconds(1));
      }
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  private static ConnectionPool pool(EventLoopGroup group, io.netty.handler.ssl.SslContext tls) {
    return new ConnectionPool(
        group,
        Duration.ofSeconds(5),
        Duration.ofSeconds(30),
        Duration.ofSeconds(60),
        tls,
        AckListener.NONE);
  }

  /**
   * Sends {@code count} lines through the pool, as fast as it takes them or at the rate, and waits
   * until the server has read them. A line's content starts with the time it was due.
   */
  private void send(
      ConnectionPool pool, InetSocketAddress at, PeerId expected, int count, AtomicLong received)
      throws Exception {
    if (count == 0) {
      return;
    }
    long before = received.get();
    String padding = "x".repeat(settings.size());
    long interval = settings.rate() == 0 ? 0 : 1_000_000_000L / settings.rate();
    long first = System.nanoTime();
    CompletableFuture<Void> last = null;
    for (int i = 0; i < count; i++) {
      long due = interval > 0 ? first + i * interval : System.nanoTime();
      Pacing.awaitDue(due);
      String content = due + "|" + padding;
      last = pool.send(at, expected, ChatLine.now("sender", content));
    }
    last.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (received.get() - before < count) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "only " + (received.get() - before) + " of " + count + " lines arrived");
      }
      Thread.sleep(1);
    }
  }

  /** Sets up connections one after another: each a new pool's first line, until written. */
  private Histogram setUps(
      EventLoopGroup group,
      io.netty.handler.ssl.SslContext clientContext,
      InetSocketAddress at,
      PeerId expected)
      throws Exception {
    Histogram setup = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
    int warm = settings.connections() / 10;
    for (int i = 0; i < settings.connections(); i++) {
      ConnectionPool pool = pool(group, clientContext);
      try {
        long start = System.nanoTime();
        pool.send(at, expected, ChatLine.now("setup", "hello " + i))
            .get(WAIT.toSeconds(), TimeUnit.SECONDS);
        if (i >= warm) {
          setup.recordValue(System.nanoTime() - start);
        }
      } finally {
        pool.close(Duration.ofSeconds(1));
      }
    }
    return setup;
  }

  private String describe(Result r) {
    return String.format(
        Locale.ROOT,
        "%,d messages in %.3f s = %,.0f messages/s%s; CPU %.2f µs/message (%.0f%% system), %,.0f"
            + " bytes allocated/message; %s%s",
        r.messages(),
        r.elapsedNanos() / 1e9,
        r.perSecond(),
        settings.rate() == 0
            ? ""
            : String.format(
                Locale.ROOT,
                "; latency p50 %.3f ms, p99 %.3f ms, p99.9 %.3f ms, max %.3f ms",
                r.latency().getValueAtPercentile(50) / 1e6,
                r.latency().getValueAtPercentile(99) / 1e6,
                r.latency().getValueAtPercentile(99.9) / 1e6,
                r.latency().getMaxValue() / 1e6),
        r.cpuMicrosPerMessage(),
        r.cpu().totalNanos() == 0 ? 0.0 : 100.0 * r.cpu().systemNanos() / r.cpu().totalNanos(),
        r.bytesPerMessage(),
        r.encrypted() ? "every line arrived over TLS" : "lines arrived in plain text",
        r.setup().getTotalCount() == 0
            ? ""
            : String.format(
                Locale.ROOT,
                "; set-up of %d connections: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms",
                r.setup().getTotalCount(),
                r.setup().getValueAtPercentile(50) / 1e6,
                r.setup().getValueAtPercentile(90) / 1e6,
                r.setup().getValueAtPercentile(99) / 1e6,
                r.setup().getMaxValue() / 1e6));
  }
}
