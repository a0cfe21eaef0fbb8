package io.parlance.bench.transport;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.parlance.bench.Args;
import io.parlance.bench.CpuTime;
import io.parlance.bench.Machine;
import io.parlance.bench.Spread;
import io.parlance.client.messaging.InboundSink;
import io.parlance.client.messaging.MessageServer;
import io.parlance.client.messaging.PeerTls;
import io.parlance.client.security.Identity;
import io.parlance.client.security.TlsContexts;
import io.parlance.protocol.Protocol;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Rust Parlance's way of sending, side by side against two receivers in one run: one sender
 * thread connects, writes one chat line and closes, one message after another, as fast as
 * connections go, on 127.0.0.1 without binding a source port (as the Rust peer's {@code
 * TcpStream::connect} does, so the kernel reuses ports in TIME_WAIT). The receivers:
 *
 * <ul>
 *   <li><b>reference</b>: a bare blocking acceptor (backlog 1024, as Tokio's {@code TcpListener}
 *       has) that reads each connection to its end on one thread and counts its lines: about what a
 *       Rust peer's listener costs;
 *   <li><b>listener</b>: our {@link MessageServer} with the node's default limits and pipeline (the
 *       TLS detector in front, 256 connections, the flood guard), counting the lines it decodes.
 * </ul>
 *
 * <p>Each run warms both up with {@code --warmup} messages, then sends {@code --messages} to each,
 * the order alternating between runs, and reports messages per second (from the first connect until
 * the receiver counted the last line), how many were lost (never counted within 10 s of the last
 * send), and how many connects took over half a second (a dropped SYN costs a 1 s retry). Bounded:
 * at most {@value #MAX_MESSAGES} messages and {@value #MAX_RUNS} runs; loopback only.
 *
 * <pre>
 * scripts/bench-per-connection.sh --messages 50000 --warmup 10000 --runs 5
 * </pre>
 */
public final class PerConnectionBenchmark {

  /** The most messages one run may send to one receiver. */
  public static final int MAX_MESSAGES = 1_000_000;

  /** The most runs. */
  public static final int MAX_RUNS = 20;

  private static final Set<String> OPTIONS = Set.of("messages", "warmup", "runs", "receiver");
  private static final long SLOW_CONNECT_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
  private static final Duration QUIET = Duration.ofSeconds(10);

  /**
   * What one invocation does.
   *
   * @param messages measured messages per receiver and run
   * @param warmup warm-up messages per receiver and run
   * @param runs runs
   * @param receivers which receivers, in the first run's order: {@code reference}, {@code listener}
   */
  public record Settings(int messages, int warmup, int runs, List<String> receivers) {

    /**
     * Settings for both receivers.
     *
     * @param messages measured messages per receiver and run
     * @param warmup warm-up messages per receiver and run
     * @param runs runs
     */
    public Settings(int messages, int warmup, int runs) {
      this(messages, warmup, runs, List.of("reference", "listener"));
    }
  }

  /**
   * One receiver's run.
   *
   * @param receiver {@code reference} or {@code listener}
   * @param sent messages sent
   * @param received lines the receiver counted
   * @param elapsedNanos from the first connect until the last line was counted
   * @param slowConnects connects that took over half a second
   * @param refused connections the listener refused (0 for the reference)
   * @param cpu the CPU time of the process (sender and receiver) over the measured messages
   */
  public record Result(
      String receiver,
      long sent,
      long received,
      long elapsedNanos,
      long slowConnects,
      long refused,
      CpuTime cpu) {

    /**
     * Returns the CPU time per message, sender and receiver.
     *
     * @return microseconds
     */
    public double cpuMicrosPerMessage() {
      return received == 0 ? 0 : cpu.totalNanos() / 1e3 / received;
    }

    /**
     * Returns the messages per second that arrived.
     *
     * @return the rate
     */
    public double perSecond() {
      return elapsedNanos == 0 ? 0 : received / (elapsedNanos / 1e9);
    }

    /**
     * Returns how many messages never arrived.
     *
     * @return the count
     */
    public long lost() {
      return sent - received;
    }
  }

  /** A receiver under test: where it listens, and how many lines it counted and when. */
  private abstract static class Receiver implements AutoCloseable {
    private final AtomicLong lines = new AtomicLong();
    private final AtomicLong lastLineNanos = new AtomicLong();

    /** Counts a line, on whatever thread read it. */
    final void counted() {
      lastLineNanos.set(System.nanoTime());
      lines.incrementAndGet();
    }

    final long lines() {
      return lines.get();
    }

    final long lastLineNanos() {
      return lastLineNanos.get();
    }

    abstract InetSocketAddress address();

    long refused() {
      return 0;
    }

    @Override
    public abstract void close() throws IOException;
  }

  private final Settings settings;
  private final PrintStream out;

  /**
   * Creates the benchmark.
   *
   * @param settings what to do
   * @param out where the report goes
   */
  public PerConnectionBenchmark(Settings settings, PrintStream out) {
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
    String receiver = a.text("receiver", "both");
    if (!List.of("both", "reference", "listener").contains(receiver)) {
      throw new IllegalArgumentException(
          "unknown receiver '" + receiver + "'; known: both, reference, listener");
    }
    Settings settings =
        new Settings(
            (int) a.number("messages", 50_000, 1, MAX_MESSAGES),
            (int) a.number("warmup", 10_000, 0, MAX_MESSAGES),
            (int) a.number("runs", 5, 1, MAX_RUNS),
            receiver.equals("both") ? List.of("reference", "listener") : List.of(receiver));
    System.out.println("Machine: " + Machine.describe());
    System.out.println("Arguments: " + String.join(" ", args));
    new PerConnectionBenchmark(settings, System.out).run();
  }

  /**
   * Runs every run, printing each and the spread per receiver.
   *
   * @return the results, two per run
   * @throws Exception if a run fails
   */
  public List<Result> run() throws Exception {
    out.printf(
        Locale.ROOT,
        "Per-connection: one sender thread, connect + one line + close per message, %,d messages"
            + " per receiver and run after %,d warm-up%n",
        settings.messages(),
        settings.warmup());
    List<Result> results = new ArrayList<>();
    EventLoopGroup group = new NioEventLoopGroup(2);
    try {
      for (int run = 1; run <= settings.runs(); run++) {
        List<String> order = new ArrayList<>(settings.receivers());
        if (run % 2 == 0) {
          Collections.reverse(order);
        }
        for (String name : order) {
          boolean reference = name.equals("reference");
          try (Receiver receiver =
              reference ? new ReferenceReceiver() : new ListenerReceiver(group)) {
            Result r = measure(name, receiver);
            results.add(r);
            out.printf(Locale.ROOT, "run %d/%d: %s%n", run, settings.runs(), describe(r));
          }
        }
      }
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
    for (String name : settings.receivers()) {
      List<Result> mine = results.stream().filter(r -> r.receiver().equals(name)).toList();
      out.printf(
          Locale.ROOT,
          "Summary %s, %d run(s), median (min–max): %s messages/s; CPU %s µs/message; lost %d"
              + " of %d; %d slow connects; %d refused%n",
          name,
          mine.size(),
          Spread.of(mine.stream().mapToDouble(Result::perSecond).toArray()).format("%,.0f"),
          Spread.of(mine.stream().mapToDouble(Result::cpuMicrosPerMessage).toArray())
              .format("%.1f"),
          mine.stream().mapToLong(Result::lost).sum(),
          mine.stream().mapToLong(Result::sent).sum(),
          mine.stream().mapToLong(Result::slowConnects).sum(),
          mine.stream().mapToLong(Result::refused).sum());
    }
    return results;
  }

  private Result measure(String name, Receiver receiver) throws Exception {
    byte[] line = chatLine();
    send(receiver.address(), line, settings.warmup());
    awaitLines(receiver, settings.warmup());
    long before = receiver.lines();
    long refusedBefore = receiver.refused();
    CpuTime cpuBefore = CpuTime.now();
    long start = System.nanoTime();
    long slow = send(receiver.address(), line, settings.messages());
    awaitLines(receiver, before + settings.messages());
    CpuTime cpu = CpuTime.now().minus(cpuBefore);
    long received = receiver.lines() - before;
    long elapsed = Math.max(0, receiver.lastLineNanos() - start);
    return new Result(
        name,
        settings.messages(),
        received,
        elapsed,
        slow,
        receiver.refused() - refusedBefore,
        cpu);
  }

  /** Sends count messages, one connection each; returns how many connects were slow. */
  private static long send(InetSocketAddress to, byte[] line, int count) throws IOException {
    long slow = 0;
    for (int i = 0; i < count; i++) {
      long t0 = System.nanoTime();
      try (Socket s = new Socket()) {
        s.connect(to, 5_000);
        if (System.nanoTime() - t0 > SLOW_CONNECT_NANOS) {
          slow++;
        }
        OutputStream o = s.getOutputStream();
        o.write(line);
      }
    }
    return slow;
  }

  /** Waits until the receiver counted the lines, or until it counted none more for a while. */
  private static void awaitLines(Receiver receiver, long lines) throws InterruptedException {
    long seen = receiver.lines();
    long quietSince = System.nanoTime();
    while (receiver.lines() < lines && System.nanoTime() - quietSince < QUIET.toNanos()) {
      Thread.sleep(1);
      long now = receiver.lines();
      if (now != seen) {
        seen = now;
        quietSince = System.nanoTime();
      }
    }
  }

  private static byte[] chatLine() {
    return ("{\"from\":\"rusty\",\"content\":\"a message as the Rust Parlance sends it\","
            + "\"timestamp\":1699123456}\n")
        .getBytes(StandardCharsets.UTF_8);
  }

  /** A bare acceptor that reads each connection to its end on one thread. */
  private static final class ReferenceReceiver extends Receiver {
    private final ServerSocket server = new ServerSocket();
    private final Thread acceptor = new Thread(this::readEach, "reference-receiver");

    ReferenceReceiver() throws IOException {
      server.bind(new InetSocketAddress("127.0.0.1", 0), 1024);
      acceptor.setDaemon(true);
      acceptor.start();
    }

    /** Accepts connections until the server closes, reading each to its end, counting lines. */
    private void readEach() {
      byte[] buf = new byte[8192];
      while (!server.isClosed()) {
        try (Socket s = server.accept()) {
          InputStream in = s.getInputStream();
          int n;
          boolean pending = false;
          while ((n = in.read(buf)) > 0) {
            for (int k = 0; k < n; k++) {
              pending = buf[k] != '\n';
              if (!pending) {
                counted();
              }
            }
          }
          if (pending) {
            counted();
          }
        } catch (IOException e) {
          // closed at the end of the run, or a reset: nothing to count
        }
      }
    }

    @Override
    InetSocketAddress address() {
      return (InetSocketAddress) server.getLocalSocketAddress();
    }

    @Override
    public void close() throws IOException {
      server.close();
      try {
        acceptor.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Our listener as a node runs it by default, counting the lines it decodes. */
  private static final class ListenerReceiver extends Receiver {
    private final MessageServer server;
    private final InetSocketAddress at;

    ListenerReceiver(EventLoopGroup group) throws Exception {
      Identity identity = Identity.generate();
      server =
          new MessageServer(
              new InetSocketAddress("127.0.0.1", 0),
              message -> {
                counted();
                return InboundSink.Outcome.NOTHING.now();
              },
              256,
              Protocol.MAX_LINE_BYTES,
              5000,
              Duration.ofMinutes(5),
              new PeerTls.Contexts(
                  TlsContexts.server(identity), TlsContexts.client(identity), false));
      at = server.start(group);
    }

    @Override
    InetSocketAddress address() {
      return at;
    }

    @Override
    long refused() {
      return server.refusedConnections();
    }

    @Override
    public void close() {
      try {
        server.close(Duration.ofSeconds(1));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static String describe(Result r) {
    return String.format(
        Locale.ROOT,
        "%-9s %,d of %,d messages in %.3f s = %,.0f messages/s; CPU %.1f µs/message (%.0f%%"
            + " system); %d lost; %d slow connects; %d refused",
        r.receiver(),
        r.received(),
        r.sent(),
        r.elapsedNanos() / 1e9,
        r.perSecond(),
        r.cpuMicrosPerMessage(),
        r.cpu().totalNanos() == 0 ? 0.0 : 100.0 * r.cpu().systemNanos() / r.cpu().totalNanos(),
        r.lost(),
        r.slowConnects(),
        r.refused());
  }
}
