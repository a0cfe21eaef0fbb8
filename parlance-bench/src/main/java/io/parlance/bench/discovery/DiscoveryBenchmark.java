package io.parlance.bench.discovery;

import io.parlance.bench.Args;
import io.parlance.bench.Machine;
import io.parlance.bench.Ports;
import io.parlance.bench.Spread;
import io.parlance.client.node.NodeOptions;
import io.parlance.client.node.PeerNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Starts N fresh peers in this JVM on the loopback interface {@code lo} (never another one), on a
 * private multicast port, and measures:
 *
 * <ul>
 *   <li><b>join</b>: the time until every peer lists every other, from the first {@code start()}
 *       (starting them one after another included) and from the moment the last one has started;
 *   <li><b>goodbye</b>: after one peer stops (it says goodbye), the time until no other lists it;
 *   <li><b>crash</b>: a peer in a process of its own ({@link LonePeer}) is killed with SIGKILL once
 *       everyone lists it; the time until no peer lists it any more. Nothing tells the others, so
 *       this is the peer timeout plus the time since its last announce, plus the sweep.
 * </ul>
 *
 * <p>The first runs warm the JVM up and are reported but not counted: class loading and compilation
 * would otherwise dominate the first figures. With many peers, one JVM runs the code of all of them
 * on two cores and the compiler keeps catching up for a few runs, so the default is three warm-up
 * runs. Bounded: at most {@value #MAX_PEERS} peers, {@value #MAX_RUNS} runs and {@value
 * #MAX_WARMUP} warm-up runs, every wait has a deadline, and the child process is killed by its own
 * handle and stops by itself after a limit.
 *
 * <p>Options: {@code --peers} (10), {@code --runs} (5), {@code --warmup} (3), {@code --crash}
 * (true), {@code --announce-ms} (5000, the protocol's) and {@code --timeout-ms} (15000, the
 * protocol's) for every peer.
 */
public final class DiscoveryBenchmark {

  /** The most peers one run may start. */
  public static final int MAX_PEERS = 200;

  /** The most runs one invocation may make. */
  public static final int MAX_RUNS = 20;

  /** The most warm-up runs one invocation may make. */
  public static final int MAX_WARMUP = 10;

  private static final Set<String> OPTIONS =
      Set.of("peers", "runs", "warmup", "crash", "announce-ms", "timeout-ms");
  private static final Duration WAIT = Duration.ofSeconds(60);

  private final Settings settings;
  private final PrintStream out;

  /**
   * What one invocation does.
   *
   * @param peers peers per run, at least 2
   * @param runs how many runs are counted
   * @param warmup how many runs before them are reported but not counted
   * @param crash whether to measure a crashed peer's disappearance
   * @param announceInterval every peer's announce interval
   * @param peerTimeout every peer's timeout for silent peers
   */
  public record Settings(
      int peers,
      int runs,
      int warmup,
      boolean crash,
      Duration announceInterval,
      Duration peerTimeout) {}

  /**
   * The outcome of one run, in nanoseconds; a figure not measured is -1.
   *
   * @param startNanos from the first start() call until the last one returned
   * @param allListedFromFirstStart from the first start() call until every peer lists every other
   * @param allListedFromLastStart from the last start() returning until every peer lists every
   *     other
   * @param goneAfterGoodbye from stop() until no other peer lists the stopped one
   * @param goneAfterCrash from SIGKILL until no peer lists the killed one
   */
  public record Result(
      long startNanos,
      long allListedFromFirstStart,
      long allListedFromLastStart,
      long goneAfterGoodbye,
      long goneAfterCrash) {}

  /**
   * Creates the benchmark.
   *
   * @param settings what to do
   * @param out where the report goes
   */
  public DiscoveryBenchmark(Settings settings, PrintStream out) {
    if (settings.peers() < 2 || settings.peers() > MAX_PEERS) {
      throw new IllegalArgumentException("--peers must be between 2 and " + MAX_PEERS);
    }
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
    Settings settings =
        new Settings(
            (int) a.number("peers", 10, 2, MAX_PEERS),
            (int) a.number("runs", 5, 1, MAX_RUNS),
            (int) a.number("warmup", 3, 0, MAX_WARMUP),
            Boolean.parseBoolean(a.text("crash", "true")),
            Duration.ofMillis(a.number("announce-ms", 5_000, 100, 60_000)),
            Duration.ofMillis(a.number("timeout-ms", 15_000, 300, 120_000)));
    PrintStream out = System.out;
    out.println("Machine: " + Machine.describe());
    out.println("Arguments: " + String.join(" ", args));
    new DiscoveryBenchmark(settings, out).run();
  }

  /**
   * Runs every run and prints each and the spread.
   *
   * @return the results, one per run
   * @throws Exception if a run fails
   */
  public List<Result> run() throws Exception {
    out.printf(
        Locale.ROOT,
        "Discovery: %d fresh peers on lo per run, announce every %d ms, silent peers dropped after"
            + " %d ms%s%n",
        settings.peers(),
        settings.announceInterval().toMillis(),
        settings.peerTimeout().toMillis(),
        settings.crash() ? "; one more peer in its own process is killed (crash)" : "");
    List<Result> results = new ArrayList<>();
    int warmup = settings.warmup();
    for (int run = 1 - warmup; run <= settings.runs(); run++) {
      boolean counted = run > 0;
      Result r = runOnce(counted);
      if (counted) {
        results.add(r);
      }
      out.printf(
          Locale.ROOT,
          "%s: started in %s; all list each other %s after the first start, %s after the"
              + " last; a goodbye is seen by all in %s; a crash in %s%n",
          counted
              ? "run " + run + "/" + settings.runs()
              : "warm-up run " + (run + warmup) + "/" + warmup + " (not counted)",
          millis(r.startNanos()),
          millis(r.allListedFromFirstStart()),
          millis(r.allListedFromLastStart()),
          millis(r.goneAfterGoodbye()),
          millis(r.goneAfterCrash()));
    }
    out.printf(
        Locale.ROOT,
        "Summary %d peers, %d run(s), median (min–max) in ms: all list each other %s after the"
            + " first start, %s after the last start (starting took %s); goodbye seen by all %s;"
            + " crash seen by all %s%n",
        settings.peers(),
        results.size(),
        spread(results, Result::allListedFromFirstStart),
        spread(results, Result::allListedFromLastStart),
        spread(results, Result::startNanos),
        spread(results, Result::goneAfterGoodbye),
        spread(results, Result::goneAfterCrash));
    return results;
  }

  private Result runOnce(boolean crash) throws Exception {
    int multicastPort = Ports.privateMulticastPort();
    String prefix = "d" + ThreadLocalRandom.current().nextInt(1000, 10_000) + "-";
    List<PeerNode> nodes = new ArrayList<>();
    try {
      long first = System.nanoTime();
      for (int i = 0; i < settings.peers(); i++) {
        PeerNode node = new PeerNode(options(prefix + i, multicastPort));
        nodes.add(node);
        node.start();
      }
      long last = System.nanoTime();
      await(() -> nodes.stream().allMatch(n -> n.directory().size() >= settings.peers() - 1));
      long allListed = System.nanoTime();
      for (PeerNode node : nodes) {
        if (node.directory().size() != settings.peers() - 1) {
          throw new IllegalStateException(
              node.nickname() + " lists " + node.peers() + ", not only the benchmark's peers");
        }
      }

      PeerNode leaving = nodes.remove(nodes.size() - 1);
      InetSocketAddress leavingAddress = address(leaving);
      long stop = System.nanoTime();
      leaving.stop();
      await(() -> nodes.stream().allMatch(n -> n.directory().get(leavingAddress).isEmpty()));
      long goodbyeSeen = System.nanoTime();

      long crashSeen = -1;
      if (crash && settings.crash()) {
        crashSeen = crash(nodes, prefix + "crash", multicastPort);
      }
      return new Result(
          last - first, allListed - first, allListed - last, goodbyeSeen - stop, crashSeen);
    } finally {
      for (PeerNode node : nodes) {
        node.stop();
      }
    }
  }

  /** Starts a peer in a child process, waits until all list it, kills it; returns the time. */
  private long crash(List<PeerNode> nodes, String nickname, int multicastPort) throws Exception {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process child =
        new ProcessBuilder(
                java.toString(),
                "-Xmx64m",
                "-cp",
                System.getProperty("java.class.path"),
                LonePeer.class.getName(),
                Integer.toString(multicastPort),
                nickname,
                Long.toString(settings.announceInterval().toMillis()),
                Long.toString(settings.peerTimeout().toMillis()),
                Long.toString(WAIT.toSeconds() * 3))
            .redirectErrorStream(true)
            .start();
    try {
      int port = readyPort(child);
      InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
      await(() -> nodes.stream().allMatch(n -> n.directory().get(address).isPresent()));
      long kill = System.nanoTime();
      child.destroyForcibly(); // SIGKILL to our own child: no goodbye, no unregister
      await(() -> nodes.stream().allMatch(n -> n.directory().get(address).isEmpty()));
      return System.nanoTime() - kill;
    } finally {
      child.destroyForcibly();
      child.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static int readyPort(Process child) throws IOException {
    BufferedReader lines =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
    long deadline = System.nanoTime() + WAIT.toNanos();
    String line;
    while ((line = lines.readLine()) != null && System.nanoTime() < deadline) {
      if (line.startsWith("ready ")) {
        return Integer.parseInt(line.substring("ready ".length()).trim());
      }
    }
    throw new IllegalStateException("the crash peer did not start (last output: " + line + ")");
  }

  private NodeOptions options(String nickname, int multicastPort) {
    return NodeOptions.builder(nickname)
        .interfaceName("lo")
        .bindHost("127.0.0.1")
        .multicastPort(multicastPort)
        .announceInterval(settings.announceInterval())
        .peerTimeout(settings.peerTimeout())
        .build();
  }

  private static InetSocketAddress address(PeerNode node) {
    return new InetSocketAddress("127.0.0.1", node.tcpPort());
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("not reached in " + WAIT.toSeconds() + " s");
      }
      Thread.sleep(1);
    }
  }

  private static String spread(List<Result> results, java.util.function.ToLongFunction<Result> f) {
    double[] values =
        results.stream().mapToLong(f).filter(v -> v >= 0).mapToDouble(v -> v / 1e6).toArray();
    return values.length == 0 ? "—" : Spread.of(values).format("%.0f");
  }

  private static String millis(long nanos) {
    return nanos < 0 ? "—" : String.format(Locale.ROOT, "%.0f ms", nanos / 1e6);
  }
}
