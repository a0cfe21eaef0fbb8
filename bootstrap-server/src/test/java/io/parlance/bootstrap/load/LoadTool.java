package io.parlance.bootstrap.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.AttributeKey;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Registers many WebSocket clients with a bootstrap server on this machine and measures what the
 * server does under them: registrations per second, its heap and resident memory per client, what
 * one more join costs as the registry grows, and lookup latency with everyone registered. Bounded
 * and self-stopping: at most {@value #MAX_CLIENTS} clients, a hard deadline, loopback addresses
 * only; it closes every connection before it returns.
 *
 * <pre>
 * java -cp bootstrap-server/target/test-classes:bootstrap-server/target/bootstrap-server.jar:HdrHistogram.jar \
 *     io.parlance.bootstrap.load.LoadTool --port 8080 --clients 10000 --server-pid PID
 * </pre>
 *
 * <p>Options:
 *
 * <ul>
 *   <li>{@code --port} (8080), {@code --clients} (1000), {@code --events false} to register
 *       lookup-only clients (no join/leave fan-out), {@code --server-pid} to read the server's RSS
 *       and CPU time and force a GC with jcmd;
 *   <li>{@code --sources} source addresses 127.0.0.2… (one per 5,000 clients by default, so no
 *       address runs out of ephemeral ports), {@code --in-flight} concurrent handshakes (256);
 *   <li>{@code --probe-every N} (0: off): after every N registrations, pause and register {@code
 *       --probe-size} (50) more clients at once, measuring how long they take to register, how long
 *       until every subscribed client has heard of all of them, the bytes that fan-out sent to the
 *       others and the server CPU time it took;
 *   <li>{@code --lookups N} (0: off) at {@code --lookup-rate} per second (1,000), after the ramp,
 *       spread over the registered clients (each stays under the server's 20 frames/s), for random
 *       registered nicknames; latency from when each lookup was due to its answer;
 *   <li>{@code --prefix} the clients' nicknames, PREFIX0, PREFIX1… ({@code load}): several tools on
 *       the servers of one cluster need different ones;
 *   <li>{@code --deadline} seconds (600), {@code --hold} seconds to keep everyone registered before
 *       measuring memory (5).
 * </ul>
 */
public final class LoadTool {

  /** The most clients one run may open. */
  public static final int MAX_CLIENTS = 150_000;

  /** The longest a run may take, in seconds. */
  public static final int MAX_DEADLINE_SECONDS = 1_800;

  /** The most lookups one run may send. */
  public static final int MAX_LOOKUPS = 2_000_000;

  private static final Set<String> OPTIONS =
      Set.of(
          "port",
          "clients",
          "sources",
          "in-flight",
          "deadline",
          "hold",
          "events",
          "server-pid",
          "probe-every",
          "probe-size",
          "lookups",
          "lookup-rate",
          "prefix");
  private static final AttributeKey<String> NICK = AttributeKey.valueOf("load.nick");
  private static final AttributeKey<Long> STARTED = AttributeKey.valueOf("load.started");
  private static final long QUIET_NANOS = TimeUnit.MILLISECONDS.toNanos(600);

  private final Map<String, String> opts;
  private final PrintStream out;
  private final ConcurrentLinkedQueue<Channel> channels = new ConcurrentLinkedQueue<>();
  private final List<Channel> registeredClients = new ArrayList<>();
  private final AtomicInteger registered = new AtomicInteger();
  private final AtomicInteger failed = new AtomicInteger();
  private final AtomicLong bytesIn = new AtomicLong();
  private final AtomicLong bytesToRampClients = new AtomicLong();
  private final AtomicLong lastByteNanos = new AtomicLong(System.nanoTime());
  private final Recorder lookupLatency = new Recorder(3_600_000_000_000L, 3);
  private final AtomicLong lookupsAnswered = new AtomicLong();
  private final AtomicLong lookupsFound = new AtomicLong();
  private final AtomicLong lookupErrors = new AtomicLong();
  private final Recorder probeJoinLatency = new Recorder(3_600_000_000_000L, 3);
  private final AtomicInteger probesRegistered = new AtomicInteger();
  private final AtomicInteger probesFailed = new AtomicInteger();
  private final AtomicInteger probeFanOutDone = new AtomicInteger();
  private final AtomicLong probeFanOutLastNanos = new AtomicLong();
  private volatile String probeNeedle;
  private volatile boolean lookingUp;
  private volatile int probeSize;
  private boolean events;
  private String nickPrefix;
  private int port;
  private long pid;
  private long deadline;
  private Bootstrap bootstrap;
  private Semaphore permits;
  private InetAddress[] sources;

  private LoadTool(Map<String, String> opts, PrintStream out) {
    this.opts = opts;
    this.out = out;
  }

  /**
   * Runs the tool.
   *
   * @param args options, see the class comment
   * @throws Exception if the run fails
   */
  public static void main(String[] args) throws Exception {
    run(args, System.out);
  }

  /**
   * Runs the tool with the report going to a given stream.
   *
   * @param args options, see the class comment
   * @param out where the report goes
   * @throws Exception if the run fails
   */
  static void run(String[] args, PrintStream out) throws Exception {
    Map<String, String> opts = new HashMap<>();
    for (int i = 0; i < args.length; i += 2) {
      String name = args[i].replaceFirst("^--", "");
      if (!OPTIONS.contains(name) || i + 1 >= args.length) {
        throw new IllegalArgumentException("unknown option or missing value: " + args[i]);
      }
      opts.put(name, args[i + 1]);
    }
    new LoadTool(opts, out).run();
  }

  private int opt(String name, int def) {
    return Integer.parseInt(opts.getOrDefault(name, Integer.toString(def)));
  }

  private void run() throws Exception {
    port = opt("port", 8080);
    int clients = Math.min(opt("clients", 1000), MAX_CLIENTS);
    int sourceCount = Math.max(opt("sources", (clients + 4_999) / 5_000), 1);
    int inFlight = opt("in-flight", 256);
    int deadlineSeconds = Math.min(opt("deadline", 600), MAX_DEADLINE_SECONDS);
    int holdSeconds = opt("hold", 5);
    int probeEvery = Math.max(opt("probe-every", 0), 0);
    int probeCount = Math.max(opt("probe-size", 50), 1);
    int lookups = Math.min(Math.max(opt("lookups", 0), 0), MAX_LOOKUPS);
    int lookupRate = Math.min(Math.max(opt("lookup-rate", 1000), 1), 100_000);
    events = Boolean.parseBoolean(opts.getOrDefault("events", "true"));
    nickPrefix = opts.getOrDefault("prefix", "load");
    if (!nickPrefix.matches("[a-z][a-z0-9]{0,11}")) {
      throw new IllegalArgumentException("--prefix: 1 to 12 lower-case letters or digits");
    }
    pid = Long.parseLong(opts.getOrDefault("server-pid", "0"));
    deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(deadlineSeconds);
    URI uri = URI.create("ws://127.0.0.1:" + port + "/");
    sources = new InetAddress[sourceCount];
    for (int i = 0; i < sourceCount; i++) {
      sources[i] = InetAddress.getByName("127.0.0." + (2 + i % 250));
    }

    out.printf(
        "Load: %d clients from %d source addresses to %s, %s%n",
        clients,
        sourceCount,
        uri,
        events ? "all subscribed to join/leave events" : "registering with events:false");
    Memory before = memory(true);
    out.println("Before: " + before);

    EventLoopGroup group = new NioEventLoopGroup(2);
    permits = new Semaphore(inFlight);
    List<String> probeLines = new ArrayList<>();
    try {
      bootstrap =
          new Bootstrap()
              .group(group)
              .channel(NioSocketChannel.class)
              .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 30_000)
              .handler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                      ch.pipeline()
                          .addLast(new HttpClientCodec())
                          .addLast(new HttpObjectAggregator(8192))
                          .addLast(
                              new WebSocketClientProtocolHandler(
                                  WebSocketClientProtocolConfig.newBuilder()
                                      .webSocketUri(uri)
                                      .maxFramePayloadLength(1 << 20)
                                      .handshakeTimeoutMillis(60_000)
                                      .build()))
                          .addLast(new Registrar());
                    }
                  });
      long start = System.nanoTime();
      long paused = 0;
      long lastReport = start;
      int probeRound = 0;
      for (int i = 0; i < clients && System.nanoTime() < deadline; i++) {
        if (probeEvery > 0 && i > 0 && i % probeEvery == 0) {
          long pauseStart = System.nanoTime();
          awaitSettled(i);
          probeLines.add(probe(++probeRound, probeCount, registered.get()));
          out.println("  " + probeLines.get(probeLines.size() - 1));
          paused += System.nanoTime() - pauseStart;
        }
        connect(nickPrefix + i, i);
        if (System.nanoTime() - lastReport > TimeUnit.SECONDS.toNanos(5)) {
          lastReport = System.nanoTime();
          out.printf(
              "  %5.1f s: %d registered, %d failed%n",
              (lastReport - start) / 1e9, registered.get(), failed.get());
        }
      }
      while (registered.get() + failed.get() < clients + probesRegistered()
          && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      long elapsed = System.nanoTime() - start - paused;
      double perSecond = (registered.get() - probesRegistered()) / (elapsed / 1e9);
      out.printf(
          "Registered %d clients in %.1f s: %.0f registrations/s (%d failed)%n",
          registered.get() - probesRegistered(), elapsed / 1e9, perSecond, failed.get());
      long holdUntil =
          Math.min(deadline, System.nanoTime() + TimeUnit.SECONDS.toNanos(holdSeconds));
      while (System.nanoTime() < holdUntil) {
        Thread.sleep(100);
      }
      Memory after = memory(true);
      out.println("With clients: " + after);
      if (registered.get() > 0 && before.heapBytes > 0) {
        out.printf(
            "Per registered client: heap %.1f KiB, RSS %.1f KiB; events received by clients: %.1f"
                + " MB%n",
            (after.heapBytes - before.heapBytes) / 1024.0 / registered.get(),
            (after.rssBytes - before.rssBytes) / 1024.0 / registered.get(),
            bytesIn.get() / 1e6);
      }
      if (!probeLines.isEmpty()) {
        out.println("Joins at growing registry sizes:");
        probeLines.forEach(line -> out.println("  " + line));
      }
      if (lookups > 0) {
        // A fifth as many first, unreported, so the server has compiled the lookup path.
        lookingUp = true;
        lookups(Math.max(lookups / 5, 1), lookupRate, false);
        lookups(lookups, lookupRate, true);
        lookingUp = false;
      }
    } finally {
      for (Channel ch : channels) {
        ch.close();
      }
      group.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly(60_000);
    }
  }

  private int probesRegistered() {
    return probesRegistered.get();
  }

  /** Opens one client, which registers as soon as its handshake is done. */
  private void connect(String nick, int index) throws InterruptedException {
    while (!permits.tryAcquire(100, TimeUnit.MILLISECONDS)) {
      if (System.nanoTime() > deadline) {
        return;
      }
    }
    long started = System.nanoTime();
    Channel ch =
        bootstrap
            .clone()
            .attr(NICK, nick) // set before any handler runs
            .attr(STARTED, started)
            .connect(
                new InetSocketAddress("127.0.0.1", port),
                new InetSocketAddress(sources[index % sources.length], 0))
            .addListener(
                f -> {
                  if (!f.isSuccess()) {
                    if (failed.incrementAndGet() <= 3) {
                      out.println("  a connect failed: " + f.cause());
                    }
                    if (nick.startsWith("probe")) {
                      probesFailed.incrementAndGet();
                    }
                    permits.release();
                  }
                })
            .channel();
    channels.add(ch);
  }

  /** Waits until every client so far has an answer and no event has arrived for a while. */
  private void awaitSettled(int clients) throws InterruptedException {
    while (registered.get() + failed.get() < clients + probesRegistered()
        && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    while (System.nanoTime() - lastByteNanos.get() < QUIET_NANOS && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
  }

  /** Registers {@code count} clients at once at the current registry size and reports the cost. */
  private String probe(int round, int count, int registrySize) throws Exception {
    // Earlier probes are subscribers too, but only the ramp's clients count the fan-out.
    int subscribers = events ? registered.get() - probesRegistered.get() : 0;
    probeFanOutDone.set(0);
    probeSize = count;
    probeNeedle = "\"nickname\":\"probe" + round + "-";
    probeJoinLatency.reset();
    long bytesBefore = bytesToRampClients.get();
    long cpuBefore = serverCpuNanos();
    int answeredBefore = probesRegistered.get() + probesFailed.get();
    long start = System.nanoTime();
    for (int j = 0; j < count; j++) {
      connect("probe" + round + "-" + j, j);
    }
    // Every wait of a probe is bounded on its own too: a lost answer costs two minutes, not the
    // run.
    long probeDeadline = Math.min(deadline, start + TimeUnit.SECONDS.toNanos(120));
    while (probesRegistered.get() + probesFailed.get() - answeredBefore < count
        && System.nanoTime() < probeDeadline) {
      Thread.sleep(1);
    }
    long allRegistered = System.nanoTime() - start;
    String fanOut = "no fan-out (events off)";
    if (subscribers > 0) {
      while (probeFanOutDone.get() < subscribers && System.nanoTime() < probeDeadline) {
        Thread.sleep(1);
      }
      fanOut =
          probeFanOutDone.get() < subscribers
              ? String.format(
                  Locale.ROOT,
                  "only %d of %d subscribers heard of all of them",
                  probeFanOutDone.get(),
                  subscribers)
              : String.format(
                  Locale.ROOT,
                  "all %d subscribers heard of all of them %.0f ms after the first connect",
                  subscribers,
                  (probeFanOutLastNanos.get() - start) / 1e6);
    }
    awaitSettled(0);
    probeNeedle = null;
    Histogram joins = probeJoinLatency.getIntervalHistogram();
    long cpu = serverCpuNanos() - cpuBefore;
    int answered = probesRegistered.get() + probesFailed.get() - answeredBefore;
    return String.format(
        Locale.ROOT,
        "at %,d registered: %d joins at once registered in %.0f ms%s (each p50 %.1f ms, max %.1f"
            + " ms); %s; %.1f kB sent to the others per join; server CPU %s per join",
        registrySize,
        count,
        allRegistered / 1e6,
        answered < count ? " (" + (count - answered) + " unanswered)" : "",
        joins.getValueAtPercentile(50) / 1e6,
        joins.getMaxValue() / 1e6,
        fanOut,
        (bytesToRampClients.get() - bytesBefore) / 1e3 / count,
        cpu < 0 ? "n/a" : String.format(Locale.ROOT, "%.2f ms", cpu / 1e6 / count));
  }

  /** Sends lookups at a fixed rate from the registered clients; prints latency percentiles. */
  private void lookups(int count, int rate, boolean report) throws InterruptedException {
    List<Channel> from;
    synchronized (registeredClients) {
      from = List.copyOf(registeredClients);
    }
    if (from.isEmpty()) {
      out.println("Lookups: no registered client to send them from");
      return;
    }
    double perClient = (double) rate / from.size();
    lookupsAnswered.set(0);
    lookupsFound.set(0);
    lookupErrors.set(0);
    out.printf(
        Locale.ROOT,
        "Lookups%s: %,d at %,d/s from %,d registered clients (%.2f per client per second)%s%n",
        report ? "" : " (warm-up, not reported)",
        count,
        rate,
        from.size(),
        perClient,
        perClient > 15
            ? " — over the server's 20 frames/s per connection: expect rate_limited"
            : "");
    lookupLatency.reset();
    long startCpu = serverCpuNanos();
    double interval = 1e9 / rate;
    long start = System.nanoTime();
    int sent = 0;
    for (int i = 0; i < count; i++) {
      long due = start + (long) (i * interval);
      long now = System.nanoTime();
      while (now < due) {
        LockSupport.parkNanos(due - now);
        now = System.nanoTime();
      }
      if (now > deadline) {
        break;
      }
      Channel ch = from.get(i % from.size());
      String target = from.get(ThreadLocalRandom.current().nextInt(from.size())).attr(NICK).get();
      ch.writeAndFlush(
          new TextWebSocketFrame(
              "{\"type\":\"lookup\",\"nickname\":\"" + target + "\",\"id\":\"" + due + "\"}"));
      sent++;
    }
    long answerDeadline = Math.min(deadline, System.nanoTime() + TimeUnit.SECONDS.toNanos(30));
    while (lookupsAnswered.get() + lookupErrors.get() < sent
        && System.nanoTime() < answerDeadline) {
      Thread.sleep(10);
    }
    long elapsed = System.nanoTime() - start;
    long cpu = serverCpuNanos() - startCpu;
    Histogram h = lookupLatency.getIntervalHistogram();
    if (!report) {
      return;
    }
    out.printf(
        Locale.ROOT,
        "Lookups: %,d sent, %,d answered (%,d found), %,d errors in %.1f s; latency p50 %.3f ms,"
            + " p90 %.3f ms, p99 %.3f ms, p99.9 %.3f ms, max %.3f ms; server CPU %s per lookup%n",
        sent,
        lookupsAnswered.get(),
        lookupsFound.get(),
        lookupErrors.get(),
        elapsed / 1e9,
        h.getValueAtPercentile(50) / 1e6,
        h.getValueAtPercentile(90) / 1e6,
        h.getValueAtPercentile(99) / 1e6,
        h.getValueAtPercentile(99.9) / 1e6,
        h.getMaxValue() / 1e6,
        cpu < 0 || sent == 0 ? "n/a" : String.format(Locale.ROOT, "%.1f µs", cpu / 1e3 / sent));
  }

  private record Memory(long heapBytes, long rssBytes, long peers) {
    @Override
    public String toString() {
      return String.format(
          "server heap used %.1f MiB, RSS %s, peers registered %d",
          heapBytes / 1048576.0,
          rssBytes > 0 ? String.format("%.1f MiB", rssBytes / 1048576.0) : "n/a",
          peers);
    }
  }

  private Memory memory(boolean collectFirst) throws IOException, InterruptedException {
    if (pid > 0 && collectFirst) {
      // Count live data, not garbage: ask the server's JVM to collect first.
      Process gc =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                  Long.toString(pid),
                  "GC.run")
              .redirectErrorStream(true)
              .start();
      gc.getInputStream().readAllBytes();
      gc.waitFor(60, TimeUnit.SECONDS);
    }
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    String metrics =
        http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                    .timeout(Duration.ofSeconds(30))
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    long heap = 0;
    long peers = 0;
    for (String line : metrics.split("\n")) {
      if (line.startsWith("jvm_memory_used_bytes{area=\"heap\"")) {
        heap += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      } else if (line.startsWith("bootstrap_peers_registered ")) {
        peers = (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    long rss = 0;
    Path status = Path.of("/proc", Long.toString(pid), "status");
    if (pid > 0 && Files.isReadable(status)) {
      for (String line : Files.readAllLines(status, StandardCharsets.UTF_8)) {
        if (line.startsWith("VmRSS:")) {
          rss = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    }
    return new Memory(heap, rss, peers);
  }

  /** The server's user plus system CPU time, from /proc (10 ms ticks), or -1 if unknown. */
  private long serverCpuNanos() {
    Path stat = Path.of("/proc", Long.toString(pid), "stat");
    if (pid <= 0 || !Files.isReadable(stat)) {
      return -1;
    }
    try {
      String text = Files.readString(stat, StandardCharsets.US_ASCII);
      String[] f = text.substring(text.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /**
   * Registers once the handshake is done and counts the answer; then counts lookup answers and,
   * while a probe runs, the probe joins it hears of.
   */
  private final class Registrar extends SimpleChannelInboundHandler<WebSocketFrame> {

    private boolean counted;
    private boolean probe;
    private String needleSeen;
    private int probesHeard;

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
        String nick = ctx.channel().attr(NICK).get();
        probe = nick.startsWith("probe");
        ctx.writeAndFlush(
            new TextWebSocketFrame(
                "{\"type\":\"register\",\"nickname\":\""
                    + nick
                    + "\",\"tcp_port\":9"
                    + (events ? "" : ",\"events\":false")
                    + "}"));
      }
      super.userEventTriggered(ctx, evt);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
      long now = System.nanoTime();
      bytesIn.addAndGet(frame.content().readableBytes());
      if (!probe) {
        bytesToRampClients.addAndGet(frame.content().readableBytes());
      }
      lastByteNanos.set(now);
      String needle = probeNeedle;
      boolean wanted = !counted || lookingUp || (needle != null && !probe);
      if (!wanted || !(frame instanceof TextWebSocketFrame)) {
        return; // most frames are join/leave events: not decoded, so the tool stays cheap
      }
      String text = frame.content().toString(StandardCharsets.UTF_8);
      // The challenge comes first; a plain registration does not need it.
      if (!counted && !text.startsWith("{\"type\":\"challenge\"")) {
        counted = true;
        if (text.startsWith("{\"type\":\"registered\"")) {
          registered.incrementAndGet();
          if (probe) {
            probeJoinLatency.recordValue(now - ctx.channel().attr(STARTED).get());
            probesRegistered.incrementAndGet();
          }
          synchronized (registeredClients) {
            registeredClients.add(ctx.channel());
          }
        } else {
          failed.incrementAndGet();
          if (probe) {
            probesFailed.incrementAndGet();
          }
          if (failed.get() <= 3) {
            out.println("  a registration failed: " + text);
          }
        }
        permits.release();
        return;
      }
      if (text.startsWith("{\"type\":\"lookup_result\"")) {
        int id = text.lastIndexOf("\"id\":\"");
        if (id >= 0) {
          int from = id + 6;
          long due = Long.parseLong(text, from, text.indexOf('"', from), 10);
          lookupLatency.recordValue(Math.max(0, now - due));
        }
        lookupsAnswered.incrementAndGet();
        if (text.contains("\"found\":true")) {
          lookupsFound.incrementAndGet();
        }
        return;
      }
      if (text.startsWith("{\"type\":\"error\"")) {
        lookupErrors.incrementAndGet();
        return;
      }
      if (needle != null && !probe) {
        if (!needle.equals(needleSeen)) {
          needleSeen = needle;
          probesHeard = 0;
        }
        int before = probesHeard;
        for (int at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) {
          probesHeard++;
        }
        if (before < probeSize && probesHeard >= probeSize) {
          probeFanOutLastNanos.accumulateAndGet(now, Math::max);
          probeFanOutDone.incrementAndGet();
        }
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
      if (!counted) {
        counted = true;
        failed.incrementAndGet();
        if (ctx.channel().attr(NICK).get().startsWith("probe")) {
          probesFailed.incrementAndGet();
        }
        permits.release();
      }
      super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
