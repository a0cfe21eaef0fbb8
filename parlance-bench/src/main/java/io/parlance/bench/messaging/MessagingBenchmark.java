package io.parlance.bench.messaging;

import io.parlance.bench.Allocation;
import io.parlance.bench.Args;
import io.parlance.bench.CpuTime;
import io.parlance.bench.Machine;
import io.parlance.bench.Pacing;
import io.parlance.bench.Ports;
import io.parlance.bench.Spread;
import io.parlance.client.node.NodeOptions;
import io.parlance.client.node.PeerNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * One peer sends N messages to another over loopback, and the receiving node's listener measures
 * throughput and latency (HdrHistogram). Two loops:
 *
 * <ul>
 *   <li><b>closed loop</b> ({@code --rate 0}, the default): as fast as the pair can go, with at
 *       most {@code --window} messages sent but not yet received;
 *   <li><b>open loop</b> ({@code --rate R}): one message every 1/R s on a fixed schedule; latency
 *       is counted from when each message was due, so a stall is not hidden by the sends it delays
 *       (no coordinated omission).
 * </ul>
 *
 * <p>Every run starts a fresh pair of nodes on 127.0.0.1 (discovery on {@code lo} only, on a
 * private multicast port), warms them up, then measures. Bounded: at most {@value #MAX_MESSAGES}
 * messages and {@value #MAX_SECONDS} s per run, at most {@value #MAX_RUNS} runs; stops by itself.
 *
 * <pre>
 * java -jar parlance-bench/target/benchmarks.jar ... (see scripts/bench-messaging.sh)
 * java -cp parlance-bench/target/benchmarks.jar io.parlance.bench.messaging.MessagingBenchmark \
 *     --mode plain --messages 500000 --runs 5
 * </pre>
 *
 * <p>Options: {@code --mode} (plain, per-connection), {@code --messages} (200,000), {@code
 * --warmup} messages before each run, in the same loop (50,000), {@code --rate} messages/s (0:
 * closed loop), {@code --window} (10,000), {@code --size} content bytes (64), {@code --runs} (5),
 * {@code --max-seconds} per run (60), {@code --delivery-window} the nodes' window of unacknowledged
 * messages per peer (their default, 128).
 *
 * <p>Both nodes lift the flood guard ({@code maxLinesPerSecond}, 50,000 lines/s per connection by
 * default, past which reading pauses and senders pace themselves) unless the system property
 * {@value #LINES_PER_SECOND_PROPERTY} gives a rate (the node's default: {@code
 * -Dparlance.bench.linesPerSecond=50000}), and enlarge the event queue (10,000 by default) so no
 * event is dropped at full speed.
 */
public final class MessagingBenchmark {

  /** The system property that sets both nodes' {@code maxLinesPerSecond} instead of lifting it. */
  public static final String LINES_PER_SECOND_PROPERTY = "parlance.bench.linesPerSecond";

  /** The most messages one run may send. */
  public static final int MAX_MESSAGES = 10_000_000;

  /** The longest one run may take, in seconds. */
  public static final int MAX_SECONDS = 600;

  /** The most runs one invocation may make. */
  public static final int MAX_RUNS = 20;

  private static final Set<String> OPTIONS =
      Set.of(
          "mode",
          "messages",
          "warmup",
          "rate",
          "window",
          "size",
          "runs",
          "max-seconds",
          "delivery-window");

  private final Mode mode;
  private final Settings settings;
  private final PrintStream out;

  /**
   * What one invocation does.
   *
   * @param messages measured messages per run
   * @param warmup warm-up messages per run
   * @param rate messages per second, or 0 for a closed loop
   * @param window most messages in flight in a closed loop
   * @param size content length in bytes (at least the time stamps)
   * @param runs how many runs
   * @param maxSeconds the longest one run may take
   * @param deliveryWindow the nodes' window of unacknowledged messages per peer
   */
  public record Settings(
      int messages,
      int warmup,
      int rate,
      int window,
      int size,
      int runs,
      int maxSeconds,
      int deliveryWindow) {

    /**
     * Settings with the nodes' default delivery window.
     *
     * @param messages measured messages per run
     * @param warmup warm-up messages per run
     * @param rate messages per second, or 0 for a closed loop
     * @param window most messages in flight in a closed loop
     * @param size content length in bytes (at least the time stamps)
     * @param runs how many runs
     * @param maxSeconds the longest one run may take
     */
    public Settings(
        int messages, int warmup, int rate, int window, int size, int runs, int maxSeconds) {
      this(messages, warmup, rate, window, size, runs, maxSeconds, DEFAULT_DELIVERY_WINDOW);
    }
  }

  /** The nodes' own default: unacknowledged messages per peer. */
  static final int DEFAULT_DELIVERY_WINDOW = NodeOptions.builder("x").build().deliveryWindow();

  /**
   * The outcome of one run.
   *
   * @param sent messages sent
   * @param received messages the receiving node reported
   * @param failed sends that failed
   * @param outOfOrder messages received after one sent later
   * @param elapsedNanos from the first send to the last receipt
   * @param connections connections the sender opened in the run, warm-up included
   * @param fromSchedule latency from when each message was due, in nanoseconds
   * @param fromCall latency from each {@code send} call, in nanoseconds
   * @param cpu the CPU time the process (both nodes) used from the first send to the last receipt
   * @param allocatedBytes heap bytes the process allocated in that time
   */
  public record Result(
      long sent,
      long received,
      long failed,
      long outOfOrder,
      long verified,
      long acknowledged,
      long elapsedNanos,
      long connections,
      Histogram fromSchedule,
      Histogram fromCall,
      CpuTime cpu,
      long allocatedBytes,
      long diskBytes) {

    /**
     * Returns the messages received per second.
     *
     * @return the rate
     */
    public double perSecond() {
      return elapsedNanos == 0 ? 0 : received / (elapsedNanos / 1e9);
    }

    /**
     * Tells whether every message sent arrived and none failed.
     *
     * @return true if complete
     */
    public boolean complete() {
      return failed == 0 && received == sent;
    }

    /**
     * Returns the CPU time per message received, both nodes together.
     *
     * @return microseconds
     */
    public double cpuMicrosPerMessage() {
      return received == 0 ? 0 : cpu.totalNanos() / 1e3 / received;
    }

    /**
     * Returns the heap bytes allocated per message received, both nodes together.
     *
     * @return bytes
     */
    public double bytesAllocatedPerMessage() {
      return received == 0 ? 0 : (double) allocatedBytes / received;
    }

    Result withDiskBytes(long bytes) {
      return new Result(
          sent,
          received,
          failed,
          outOfOrder,
          verified,
          acknowledged,
          elapsedNanos,
          connections,
          fromSchedule,
          fromCall,
          cpu,
          allocatedBytes,
          bytes);
    }
  }

  /**
   * Creates a benchmark.
   *
   * @param mode how messages travel
   * @param settings what to do
   * @param out where the report goes
   */
  public MessagingBenchmark(Mode mode, Settings settings, PrintStream out) {
    this.mode = mode;
    this.settings = settings;
    this.out = out;
  }

  /**
   * Runs the benchmark from the command line and prints the report.
   *
   * @param args options, see the class comment
   * @throws Exception if a run fails
   */
  public static void main(String[] args) throws Exception {
    Args a = Args.parse(args, OPTIONS);
    Mode mode = Modes.byName(a.text("mode", Modes.PLAIN.name()));
    Settings settings =
        new Settings(
            (int) a.number("messages", 200_000, 1, MAX_MESSAGES),
            (int) a.number("warmup", 50_000, 0, MAX_MESSAGES),
            (int) a.number("rate", 0, 0, 1_000_000),
            (int) a.number("window", 10_000, 1, 1_000_000),
            (int) a.number("size", 64, 1, 60_000),
            (int) a.number("runs", 5, 1, MAX_RUNS),
            (int) a.number("max-seconds", 60, 1, MAX_SECONDS),
            (int) a.number("delivery-window", DEFAULT_DELIVERY_WINDOW, 1, 100_000));
    PrintStream out = System.out;
    out.println("Machine: " + Machine.describe());
    out.println("Arguments: " + String.join(" ", args));
    new MessagingBenchmark(mode, settings, out).run();
  }

  /**
   * Runs every run and prints each and the spread.
   *
   * @return the results, one per run
   * @throws Exception if a run cannot start
   */
  public List<Result> run() throws Exception {
    out.printf(
        Locale.ROOT,
        "Mode %s: %s; %,d messages of %d bytes per run after %,d warm-up, %s%n",
        mode.name(),
        mode.description(),
        settings.messages(),
        contentSize(),
        settings.warmup(),
        settings.rate() == 0
            ? "closed loop (at most " + settings.window() + " in flight)"
            : "open loop at " + settings.rate() + " messages/s");
    List<Result> results = new ArrayList<>();
    for (int run = 1; run <= settings.runs(); run++) {
      Result r = runOnce();
      results.add(r);
      out.printf(Locale.ROOT, "run %d/%d: %s%n", run, settings.runs(), describe(r));
      if (r.received() > 0) {
        // The JIT's share of the CPU figure: large when the warm-up was too short.
        out.printf(
            Locale.ROOT,
            "  of the CPU, JIT compiler threads: %.1f µs/message%n",
            lastJitNanos / 1e3 / r.received());
      }
    }
    summarize(results);
    return results;
  }

  private int contentSize() {
    return Math.max(settings.size(), 48);
  }

  private Result runOnce() throws Exception {
    Path toDir = mode.durable() ? Files.createTempDirectory("parlance-bench-rx-") : null;
    Path fromDir = mode.durable() ? Files.createTempDirectory("parlance-bench-tx-") : null;
    try {
      Result r = runOnce(toDir, fromDir);
      if (!mode.durable()) {
        return r;
      }
      // Both nodes are closed: what their profiles keep on disk (stores, identities, trust).
      return r.withDiskBytes(DataDirs.size(toDir) + DataDirs.size(fromDir));
    } finally {
      DataDirs.delete(toDir);
      DataDirs.delete(fromDir);
    }
  }

  private Result runOnce(Path toDir, Path fromDir) throws Exception {
    int multicastPort = Ports.privateMulticastPort();
    String suffix = Integer.toString(ThreadLocalRandom.current().nextInt(1000, 10_000));
    Semaphore window = new Semaphore(settings.window());
    Receiver receiver = new Receiver(window);
    Acknowledgements acks = new Acknowledgements();
    try (PeerNode to =
            new PeerNode(options("bench-rx-" + suffix, multicastPort).dataDir(toDir).build());
        PeerNode from =
            new PeerNode(options("bench-tx-" + suffix, multicastPort).dataDir(fromDir).build())) {
      to.addListener(receiver);
      from.addListener(acks);
      to.start();
      from.start();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(settings.maxSeconds());
      while (from.peers().stream().noneMatch(p -> p.address().getPort() == to.tcpPort())) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the sending node did not discover the receiver");
        }
        Thread.sleep(5);
      }
      AtomicLong failed = new AtomicLong();
      try (Sender sender = mode.open(from, to)) {
        if (settings.warmup() > 0) {
          // The same loop as the measurement, so the JIT has compiled what the measurement runs.
          if (settings.rate() == 0) {
            sendClosedLoop(sender, Receiver.WARM_UP, settings.warmup(), window, failed, deadline);
          } else {
            sendOpenLoop(
                sender, Receiver.WARM_UP, settings.warmup(), settings.rate(), failed, deadline);
          }
          awaitReceived(receiver, settings.warmup() - failed.get(), deadline);
        }
        window.drainPermits();
        window.release(settings.window());
        receiver.reset();
        acks.reset();
        failed.set(0);
        CpuTime cpuBefore = CpuTime.now();
        CpuTime jitBefore = CpuTime.compilerNow();
        long allocatedBefore = Allocation.allocatedBytes();
        long start = System.nanoTime();
        long sent =
            settings.rate() == 0
                ? sendClosedLoop(
                    sender, Receiver.MEASURED, settings.messages(), window, failed, deadline)
                : sendOpenLoop(
                    sender,
                    Receiver.MEASURED,
                    settings.messages(),
                    settings.rate(),
                    failed,
                    deadline);
        awaitReceived(receiver, sent - failed.get(), deadline);
        long elapsed = receiver.received() == 0 ? 0 : receiver.lastReceivedNanos() - start;
        if (mode.acknowledged()) {
          // Counted once every ack is back, so the CPU and allocation include the acks.
          while (acks.delivered() < receiver.received() && System.nanoTime() < deadline) {
            Thread.sleep(1);
          }
        }
        CpuTime cpu = CpuTime.now().minus(cpuBefore);
        lastJitNanos = Math.max(0, CpuTime.compilerNow().minus(jitBefore).totalNanos());
        long allocated = Allocation.allocatedBytes() - allocatedBefore;
        return new Result(
            sent,
            receiver.received(),
            failed.get(),
            receiver.outOfOrder(),
            receiver.verified(),
            acks.delivered(),
            elapsed,
            sender.connectionsOpened(),
            receiver.fromSchedule().copy(),
            receiver.fromCall().copy(),
            cpu,
            allocated,
            0);
      }
    }
  }

  private NodeOptions.Builder options(String nickname, int multicastPort) {
    return mode.configure(
        NodeOptions.builder(nickname)
            .interfaceName("lo")
            .bindHost("127.0.0.1")
            .multicastPort(multicastPort)
            .maxLinesPerSecond(Integer.getInteger(LINES_PER_SECOND_PROPERTY, Integer.MAX_VALUE))
            .deliveryWindow(settings.deliveryWindow())
            .eventQueueCapacity(Math.max(settings.window(), 1_000_000)));
  }

  private long sendClosedLoop(
      Sender sender, char phase, int count, Semaphore window, AtomicLong failed, long deadline)
      throws InterruptedException {
    StringBuilder content = new StringBuilder(contentSize());
    long sent = 0;
    for (int i = 0; i < count; i++) {
      if (!window.tryAcquire()) {
        while (!window.tryAcquire(10, TimeUnit.MILLISECONDS)) {
          if (System.nanoTime() > deadline) {
            return sent;
          }
        }
      }
      long now = System.nanoTime();
      if (now > deadline) {
        return sent;
      }
      send(sender, content(content, phase, i, now, now), failed, window);
      sent++;
    }
    return sent;
  }

  private long sendOpenLoop(
      Sender sender, char phase, int count, int rate, AtomicLong failed, long deadline) {
    StringBuilder content = new StringBuilder(contentSize());
    double interval = 1e9 / rate;
    long start = System.nanoTime();
    long sent = 0;
    for (int i = 0; i < count; i++) {
      long due = start + (long) (i * interval);
      long now = Pacing.awaitDue(due);
      if (now > deadline) {
        return sent;
      }
      send(sender, content(content, phase, i, due, now), failed, null);
      sent++;
    }
    return sent;
  }

  private static void send(Sender sender, String content, AtomicLong failed, Semaphore window) {
    try {
      sender.send(
          content,
          error -> {
            failed.incrementAndGet();
            if (window != null) {
              window.release();
            }
          });
    } catch (IOException e) {
      failed.incrementAndGet();
      if (window != null) {
        window.release();
      }
    }
  }

  private String content(StringBuilder b, char phase, long sequence, long due, long now) {
    b.setLength(0);
    b.append(phase).append('|').append(sequence).append('|').append(due).append('|').append(now);
    b.append('|');
    while (b.length() < contentSize()) {
      b.append('x');
    }
    return b.toString();
  }

  private static void awaitReceived(Receiver receiver, long expected, long deadline)
      throws InterruptedException {
    while (receiver.received() < expected && System.nanoTime() < deadline) {
      Thread.sleep(1);
    }
  }

  /** CPU time of the JIT compiler threads during the last measured run. */
  private long lastJitNanos;

  private String describe(Result r) {
    return String.format(
        Locale.ROOT,
        "%,d of %,d received in %.2f s = %,.0f messages/s; latency p50 %s, p99 %s, p99.9 %s, max"
            + " %s%s; CPU %.1f µs/message (%.0f%% system), %,.0f bytes allocated/message; %d"
            + " connection(s) in the run; %,d from a verified sender, %,d acknowledged%s%s",
        r.received(),
        r.sent(),
        r.elapsedNanos() / 1e9,
        r.perSecond(),
        millis(r.fromSchedule().getValueAtPercentile(50)),
        millis(r.fromSchedule().getValueAtPercentile(99)),
        millis(r.fromSchedule().getValueAtPercentile(99.9)),
        millis(r.fromSchedule().getMaxValue()),
        settings.rate() == 0
            ? ""
            : " (from the send call: p99 " + millis(r.fromCall().getValueAtPercentile(99)) + ")",
        r.cpuMicrosPerMessage(),
        r.cpu().totalNanos() == 0 ? 0.0 : 100.0 * r.cpu().systemNanos() / r.cpu().totalNanos(),
        r.bytesAllocatedPerMessage(),
        r.connections(),
        r.verified(),
        r.acknowledged(),
        r.diskBytes() == 0 ? "" : String.format(Locale.ROOT, "; %,d bytes on disk", r.diskBytes()),
        r.complete()
            ? (r.outOfOrder() == 0 ? "" : "; " + r.outOfOrder() + " out of order")
            : "; INCOMPLETE: " + r.failed() + " failed, " + (r.sent() - r.received()) + " missing");
  }

  private void summarize(List<Result> results) {
    double[] rates = results.stream().mapToDouble(Result::perSecond).toArray();
    out.printf(
        Locale.ROOT,
        "Summary %s (%s), %d run(s), median (min–max): %s messages/s; latency p50 %s ms, p99 %s"
            + " ms, p99.9 %s ms, max %s ms; CPU %s µs/message; %s bytes allocated/message%n",
        mode.name(),
        settings.rate() == 0 ? "closed loop, window " + settings.window() : settings.rate() + "/s",
        results.size(),
        Spread.of(rates).format("%,.0f"),
        Spread.ofPercentileMillis(results, Result::fromSchedule, 50).format("%.3f"),
        Spread.ofPercentileMillis(results, Result::fromSchedule, 99).format("%.3f"),
        Spread.ofPercentileMillis(results, Result::fromSchedule, 99.9).format("%.3f"),
        Spread.of(results.stream().mapToDouble(r -> r.fromSchedule().getMaxValue() / 1e6).toArray())
            .format("%.3f"),
        Spread.of(results.stream().mapToDouble(Result::cpuMicrosPerMessage).toArray())
            .format("%.1f"),
        Spread.of(results.stream().mapToDouble(Result::bytesAllocatedPerMessage).toArray())
            .format("%,.0f"));
  }

  private static String millis(long nanos) {
    return String.format(Locale.ROOT, "%.3f ms", nanos / 1e6);
  }
}
