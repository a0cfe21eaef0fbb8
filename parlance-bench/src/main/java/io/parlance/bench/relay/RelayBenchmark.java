package io.parlance.bench.relay;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.parlance.bench.Args;
import io.parlance.bench.Machine;
import io.parlance.bench.Ports;
import io.parlance.client.node.NodeEvent;
import io.parlance.client.node.NodeOptions;
import io.parlance.client.node.PeerNode;
import io.parlance.client.peer.Peer;
import io.parlance.client.store.DeliveryState;
import io.parlance.protocol.bootstrap.ClientFrame;
import io.parlance.protocol.bootstrap.RelayFrames;
import io.parlance.protocol.bootstrap.ServerFrame;
import io.parlance.protocol.identity.Fingerprints;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The relay through the bootstrap server, measured side by side in one run (issue 17), against a
 * real server in a JVM of its own ({@link RelayServerProcess}, {@code -Xmx512m}) on 127.0.0.1:
 *
 * <ol>
 *   <li><b>throughput</b>: 1, 10, 50 (by default) relayed sessions at once between two keyed,
 *       registered peers, each session's one side writing 16 KiB binary frames as fast as its
 *       channel is writable and the other counting them; bytes/s and frames/s of the server as a
 *       whole, with the per-session cap lifted and then at its default (4 MiB/s per direction), and
 *       the server's CPU time per relayed MiB;
 *   <li><b>memory</b>: the server's heap after a collection and its direct memory with 0, 100, 500
 *       (by default) idle, paired sessions open, and per session;
 *   <li><b>chat</b>: two real default nodes (TLS 1.3, acknowledgements, durable store) that reach
 *       each other directly, then two that cannot (each registers a port nothing listens on, so the
 *       server's probe says unreachable and they go through its relay): messages/s of a burst until
 *       every message is delivered (acknowledged after the receiver stored it), with the burst's
 *       send-to-delivered p50/p99, then p50/p99 of messages sent one at a time.
 * </ol>
 *
 * <p>Bounded: at most {@value #MAX_SECONDS} s per throughput point, {@value
 * RelayServerProcess#MAX_SESSIONS} sessions, {@value #MAX_MESSAGES} messages; loopback only; data
 * directories in the system's temporary directory, deleted afterwards.
 *
 * <pre>
 * scripts/bench-relay.sh --seconds 5 --sessions 1,10,50 --idle 0,100,500 --messages 2000
 * </pre>
 */
public final class RelayBenchmark {

  /** Most seconds one throughput point may measure. */
  public static final int MAX_SECONDS = 60;

  /** Most messages of a chat burst. */
  public static final int MAX_MESSAGES = 100_000;

  private static final Set<String> OPTIONS =
      Set.of("seconds", "sessions", "idle", "messages", "singles", "frame-bytes", "parts");
  private static final long LIFTED_BYTES_PER_SECOND = 1L << 40; // 1 TiB/s: no cap on loopback
  private static final long MIB = 1024 * 1024;
  private static final long CHAT_TIMEOUT_SECONDS = 120;

  /**
   * What one invocation does.
   *
   * @param seconds measured seconds per throughput point (after a warm-up of half as long)
   * @param sessions the concurrent session counts of the throughput part
   * @param idle the idle session counts of the memory part, ascending
   * @param messages messages of each chat burst
   * @param singles messages sent one at a time in the chat part
   * @param frameBytes payload bytes of each throughput frame
   * @param parts which parts: {@code throughput}, {@code memory}, {@code chat}
   */
  public record Settings(
      int seconds,
      List<Integer> sessions,
      List<Integer> idle,
      int messages,
      int singles,
      int frameBytes,
      Set<String> parts) {}

  /**
   * One throughput point.
   *
   * @param cap {@code lifted} or {@code default}
   * @param sessions concurrent sessions
   * @param bytes payload bytes the readers counted in the measured time
   * @param frames frames the readers counted
   * @param nanos the measured time
   * @param serverCpuNanos the server process's CPU time over it
   */
  public record Throughput(
      String cap, int sessions, long bytes, long frames, long nanos, long serverCpuNanos) {

    /**
     * Returns megabytes (10^6 bytes) per second.
     *
     * @return the rate
     */
    public double megabytesPerSecond() {
      return bytes / 1e6 / (nanos / 1e9);
    }

    /**
     * Returns frames per second.
     *
     * @return the rate
     */
    public double framesPerSecond() {
      return frames / (nanos / 1e9);
    }

    /**
     * Returns the server's CPU milliseconds per relayed MiB.
     *
     * @return the cost, 0 when nothing went through
     */
    public double serverCpuMillisPerMib() {
      return bytes == 0 ? 0 : serverCpuNanos / 1e6 / (bytes / (double) MIB);
    }
  }

  /**
   * The server's memory with some idle sessions open.
   *
   * @param sessions sessions open (as the server counted them, paired)
   * @param heapBytes heap used after a collection
   * @param directBytes direct memory used
   */
  public record Memory(int sessions, long heapBytes, long directBytes) {}

  /**
   * One chat path.
   *
   * @param path what the sender's node said of its path to the receiver
   * @param messages messages in the burst
   * @param burstNanos from the first send of the burst to the last delivery
   * @param burstP50Nanos send-to-delivered, median over the burst
   * @param burstP99Nanos send-to-delivered, 99th percentile over the burst
   * @param singleP50Nanos send-to-delivered one at a time, median
   * @param singleP99Nanos send-to-delivered one at a time, 99th percentile
   */
  public record Chat(
      String path,
      int messages,
      long burstNanos,
      long burstP50Nanos,
      long burstP99Nanos,
      long singleP50Nanos,
      long singleP99Nanos) {

    /**
     * Returns the burst's delivered messages per second.
     *
     * @return the rate
     */
    public double perSecond() {
      return messages / (burstNanos / 1e9);
    }
  }

  /**
   * Everything one run measured.
   *
   * @param throughput the throughput points, lifted cap first
   * @param memory the memory points, ascending
   * @param chat direct first, then relayed
   */
  public record Report(List<Throughput> throughput, List<Memory> memory, List<Chat> chat) {}

  private final Settings settings;
  private final PrintStream out;

  /**
   * Creates the benchmark.
   *
   * @param settings what to do
   * @param out where the report goes
   */
  public RelayBenchmark(Settings settings, PrintStream out) {
    this.settings = settings;
    this.out = out;
  }

  /**
   * Runs the benchmark from the command line.
   *
   * @param args {@code --name value} options, see the class comment
   * @throws Exception if a part fails
   */
  public static void main(String[] args) throws Exception {
    Args a = Args.parse(args, OPTIONS);
    Settings settings =
        new Settings(
            (int) a.number("seconds", 5, 1, MAX_SECONDS),
            counts(a.text("sessions", "1,10,50"), "sessions", 1),
            counts(a.text("idle", "0,100,500"), "idle", 0),
            (int) a.number("messages", 2_000, 1, MAX_MESSAGES),
            (int) a.number("singles", 200, 1, 10_000),
            (int)
                a.number(
                    "frame-bytes", RelayFrames.MAX_CHUNK_BYTES, 1, RelayFrames.MAX_CHUNK_BYTES),
            parts(a.text("parts", "throughput,memory,chat")));
    System.out.println("Machine: " + Machine.describe());
    System.out.println("Arguments: " + String.join(" ", args));
    new RelayBenchmark(settings, System.out).run();
  }

  private static List<Integer> counts(String text, String name, int min) {
    List<Integer> counts = new ArrayList<>();
    for (String part : text.split(",")) {
      int n;
      try {
        n = Integer.parseInt(part.trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "--" + name + " must be whole numbers separated by commas: " + text, e);
      }
      if (n < min || n > RelayServerProcess.MAX_SESSIONS) {
        throw new IllegalArgumentException(
            "--"
                + name
                + " counts must be between "
                + min
                + " and "
                + RelayServerProcess.MAX_SESSIONS
                + ": "
                + n);
      }
      counts.add(n);
    }
    if (counts.size() > 10) {
      throw new IllegalArgumentException("--" + name + " takes at most 10 counts");
    }
    return List.copyOf(counts);
  }

  private static Set<String> parts(String text) {
    Set<String> parts = Set.of(text.split(","));
    for (String p : parts) {
      if (!Set.of("throughput", "memory", "chat").contains(p)) {
        throw new IllegalArgumentException(
            "unknown part '" + p + "'; known: throughput, memory, chat");
      }
    }
    return parts;
  }

  /**
   * Runs the parts, printing each result as it comes.
   *
   * @return what was measured
   * @throws Exception if a part fails
   */
  public Report run() throws Exception {
    List<Throughput> throughput = new ArrayList<>();
    List<Memory> memory = new ArrayList<>();
    List<Chat> chat = new ArrayList<>();
    EventLoopGroup group = new NioEventLoopGroup(2, new DefaultThreadFactory("bench-relay", true));
    try {
      if (settings.parts().contains("throughput")) {
        out.printf(
            Locale.ROOT,
            "Throughput: %d-byte frames, one writer per session, %d s measured after %d s%n",
            settings.frameBytes(),
            settings.seconds(),
            warmupMillis() / 1000);
        for (String cap : List.of("lifted", "default")) {
          try (ServerProcess server =
              ServerProcess.start(cap.equals("lifted") ? LIFTED_BYTES_PER_SECOND : 0)) {
            for (int n : settings.sessions()) {
              Throughput t = throughput(group, server, cap, n);
              throughput.add(t);
              out.printf(
                  Locale.ROOT,
                  "  cap %-7s %3d session(s): %8.1f MB/s, %9.0f frames/s, server CPU %.1f ms/MiB%n",
                  cap,
                  n,
                  t.megabytesPerSecond(),
                  t.framesPerSecond(),
                  t.serverCpuMillisPerMib());
            }
          }
        }
      }
      if (settings.parts().contains("memory")) {
        out.println("Memory of the server process (heap after GC, direct), idle paired sessions:");
        try (ServerProcess server = ServerProcess.start(0)) {
          memory.addAll(memory(group, server));
        }
        Memory base = memory.get(0);
        for (Memory m : memory) {
          int extra = m.sessions() - base.sessions();
          out.printf(
              Locale.ROOT,
              "  %4d session(s): heap %7.1f KiB, direct %7.1f KiB%s%n",
              m.sessions(),
              m.heapBytes() / 1024.0,
              m.directBytes() / 1024.0,
              extra <= 0
                  ? ""
                  : String.format(
                      Locale.ROOT,
                      "; per session over %d: heap %.1f KiB, direct %.1f KiB",
                      base.sessions(),
                      (m.heapBytes() - base.heapBytes()) / 1024.0 / extra,
                      (m.directBytes() - base.directBytes()) / 1024.0 / extra));
        }
      }
      if (settings.parts().contains("chat")) {
        out.printf(
            Locale.ROOT,
            "Chat between default nodes (TLS, acks, durable store): burst of %d, then %d one at a"
                + " time%n",
            settings.messages(),
            settings.singles());
        try (ServerProcess server = ServerProcess.start(0)) {
          for (boolean relayed : new boolean[] {false, true}) {
            Chat c = chat(server, relayed);
            chat.add(c);
            out.printf(
                Locale.ROOT,
                "  %-30s burst %7.0f msg/s (p50 %.1f ms, p99 %.1f ms); one at a time p50 %.2f ms,"
                    + " p99 %.2f ms%n",
                c.path(),
                c.perSecond(),
                c.burstP50Nanos() / 1e6,
                c.burstP99Nanos() / 1e6,
                c.singleP50Nanos() / 1e6,
                c.singleP99Nanos() / 1e6);
          }
        }
      }
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5_000);
    }
    return new Report(throughput, memory, chat);
  }

  private long warmupMillis() {
    return settings.seconds() * 500L;
  }

  // ---- throughput ----

  private Throughput throughput(EventLoopGroup group, ServerProcess server, String cap, int n)
      throws Exception {
    List<Session> sessions = new ArrayList<>();
    byte[] random = new byte[settings.frameBytes()];
    ThreadLocalRandom.current().nextBytes(random);
    ByteBuf payload = Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(random).asReadOnly());
    try (Pair pair = Pair.register(group, server.port())) {
      for (int i = 0; i < n; i++) {
        sessions.add(pair.open(group, server.port(), "t" + i));
      }
      for (Session s : sessions) {
        s.writer().pump(payload);
      }
      Thread.sleep(warmupMillis());
      long[] counts0 = binaryCounts(sessions);
      long cpu0 = server.cpuNanos();
      long t0 = System.nanoTime();
      Thread.sleep(TimeUnit.SECONDS.toMillis(settings.seconds()));
      long[] counts1 = binaryCounts(sessions);
      long t1 = System.nanoTime();
      long cpu1 = server.cpuNanos();
      for (Session s : sessions) {
        s.writer().stopPumping();
      }
      for (Session s : sessions) {
        if (!s.writer().isOpen() || !s.reader().isOpen()) {
          throw new IllegalStateException("the server closed a relayed session during the run");
        }
      }
      return new Throughput(
          cap, n, counts1[0] - counts0[0], counts1[1] - counts0[1], t1 - t0, cpu1 - cpu0);
    } finally {
      for (Session s : sessions) {
        s.close();
      }
    }
  }

  /** The readers' bytes and frames, summed; each reader's pair is read at one moment. */
  private static long[] binaryCounts(List<Session> sessions) {
    long[] total = new long[2];
    for (Session s : sessions) {
      long[] counts = s.reader().binaryCounts();
      total[0] += counts[0];
      total[1] += counts[1];
    }
    return total;
  }

  // ---- memory ----

  private List<Memory> memory(EventLoopGroup group, ServerProcess server) throws Exception {
    List<Memory> points = new ArrayList<>();
    List<Session> sessions = new ArrayList<>();
    try (Pair pair = Pair.register(group, server.port())) {
      // One session opened and closed first, so the classes and buffers every session needs are
      // loaded and allocated before the baseline.
      pair.open(group, server.port(), "warm").close();
      List<Integer> idle = settings.idle().stream().sorted().toList();
      for (int target : idle) {
        while (sessions.size() < target) {
          sessions.add(pair.open(group, server.port(), "m" + sessions.size()));
        }
        long[] m = server.memory();
        if (m[2] != target) {
          // The warm-up session may still be closing; ask once more.
          Thread.sleep(500);
          m = server.memory();
        }
        if (m[2] != target) {
          throw new IllegalStateException(
              "the server holds " + m[2] + " paired sessions, not " + target);
        }
        points.add(new Memory(target, m[0], m[1]));
      }
    } finally {
      for (Session s : sessions) {
        s.close();
      }
    }
    return points;
  }

  // ---- chat ----

  private Chat chat(ServerProcess server, boolean relayed) throws Exception {
    Path root = Files.createTempDirectory("parlance-bench-relay-");
    String suffix = Integer.toString(ThreadLocalRandom.current().nextInt(1000, 10_000));
    int multicast = Ports.privateMulticastPort();
    String toName = (relayed ? "rly-rx-" : "dir-rx-") + suffix;
    Map<String, Long> sentAt = new ConcurrentHashMap<>();
    Map<String, Long> latency = new ConcurrentHashMap<>();
    try (PeerNode to = new PeerNode(node(toName, multicast, server, root, relayed).build());
        PeerNode from =
            new PeerNode(
                node((relayed ? "rly-tx-" : "dir-tx-") + suffix, multicast, server, root, relayed)
                    .build())) {
      from.addListener(
          event -> {
            if (event instanceof NodeEvent.Delivery d && d.state() == DeliveryState.DELIVERED) {
              Long start = sentAt.get(d.content());
              if (start != null) {
                latency.putIfAbsent(d.content(), System.nanoTime() - start);
              }
            }
          });
      to.start();
      from.start();
      Peer peer = awaitPeer(from, toName);
      // Warm-up: opens the path (relay_request, join, TLS) and warms the code.
      burst(from, peer, "w", Math.min(settings.messages(), 500), sentAt, latency);
      String path = from.pathTo(peer).orElse("unknown");
      if (relayed != path.startsWith("relayed")) {
        throw new IllegalStateException("the chat went " + path + ", not as the run intended");
      }
      long burstNanos = burst(from, peer, "b", settings.messages(), sentAt, latency);
      long[] burst = latencies(latency, "b");
      List<Long> singles = new ArrayList<>();
      for (int i = 0; i < settings.singles(); i++) {
        String content = "s" + i;
        sentAt.put(content, System.nanoTime());
        from.send(peer, content);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CHAT_TIMEOUT_SECONDS);
        while (!latency.containsKey(content)) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("a message was not delivered within 120 s");
          }
          Thread.onSpinWait();
        }
        singles.add(latency.get(content));
      }
      long[] single = singles.stream().mapToLong(Long::longValue).sorted().toArray();
      String after = from.pathTo(peer).orElse("unknown");
      if (!after.equals(path)) {
        throw new IllegalStateException("the path changed during the run: " + path + ", " + after);
      }
      return new Chat(
          path,
          settings.messages(),
          burstNanos,
          percentile(burst, 50),
          percentile(burst, 99),
          percentile(single, 50),
          percentile(single, 99));
    } finally {
      delete(root);
    }
  }

  private static NodeOptions.Builder node(
      String nickname, int multicast, ServerProcess server, Path root, boolean relayed)
      throws IOException {
    NodeOptions.Builder b =
        NodeOptions.builder(nickname)
            .interfaceName("lo")
            .bindHost("127.0.0.1")
            .multicastPort(multicast)
            .lanDiscovery(false)
            .bootstrapServer("ws://127.0.0.1:" + server.port())
            .holePunching(false)
            .dataDir(root.resolve(nickname));
    if (relayed) {
      // A port nothing listens on: the server's probe says unreachable, a direct connect is
      // refused, and the nodes talk through the relay (as RelayedChatTest).
      b.advertisedTcpPort(deadPort());
    }
    return b;
  }

  private static int deadPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static Peer awaitPeer(PeerNode from, String nickname) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      Optional<Peer> peer =
          from.peers().stream().filter(p -> p.nickname().equals(nickname)).findFirst();
      if (peer.isPresent()) {
        return peer.get();
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the sender did not see the receiver within 30 s");
      }
      Thread.sleep(10);
    }
  }

  /** Sends {@code count} messages at once and waits until all are delivered; returns the time. */
  private static long burst(
      PeerNode from,
      Peer peer,
      String prefix,
      int count,
      Map<String, Long> sentAt,
      Map<String, Long> latency)
      throws InterruptedException {
    long start = System.nanoTime();
    for (int i = 0; i < count; i++) {
      String content = prefix + i;
      sentAt.put(content, System.nanoTime());
      from.send(peer, content);
    }
    long deadline = start + TimeUnit.SECONDS.toNanos(CHAT_TIMEOUT_SECONDS);
    while (latencies(latency, prefix).length < count) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "only " + latencies(latency, prefix).length + " of " + count + " delivered in 120 s");
      }
      Thread.sleep(1);
    }
    long last = 0;
    for (int i = 0; i < count; i++) {
      String content = prefix + i;
      last = Math.max(last, sentAt.get(content) + latency.get(content));
    }
    return last - start;
  }

  private static long[] latencies(Map<String, Long> latency, String prefix) {
    return latency.entrySet().stream()
        .filter(e -> e.getKey().startsWith(prefix))
        .mapToLong(Map.Entry::getValue)
        .sorted()
        .toArray();
  }

  static long percentile(long[] sorted, int p) {
    if (sorted.length == 0) {
      return 0;
    }
    int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }

  private static void delete(Path dir) throws IOException {
    List<Path> paths;
    try (Stream<Path> walk = Files.walk(dir)) {
      paths = walk.sorted(Comparator.reverseOrder()).toList();
    }
    for (Path p : paths) {
      Files.deleteIfExists(p);
    }
  }

  // ---- the peers and sessions of the raw relay parts ----

  /** Both joined sides of one relayed session. */
  private record Session(RelayClient writer, RelayClient reader) implements AutoCloseable {
    @Override
    public void close() {
      writer.close();
      reader.close();
    }
  }

  /** Two keyed peers registered with the relay capability, on their control connections. */
  private record Pair(RelayClient alice, RelayClient bob, String bobNickname, String bobId)
      implements AutoCloseable {

    static Pair register(EventLoopGroup group, int port) throws Exception {
      String suffix = Integer.toString(ThreadLocalRandom.current().nextInt(1000, 10_000));
      RelayClient alice = RelayClient.connect(group, port, "/");
      RelayClient bob = RelayClient.connect(group, port, "/");
      register(alice, "bench-a-" + suffix, generate());
      KeyPair bobKeys = generate();
      register(bob, "bench-b-" + suffix, bobKeys);
      return new Pair(alice, bob, "bench-b-" + suffix, Fingerprints.of(bobKeys.getPublic()));
    }

    private static KeyPair generate() throws GeneralSecurityException {
      return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    }

    private static void register(RelayClient ws, String nickname, KeyPair keys) throws Exception {
      String nonce = ws.await(ServerFrame.Challenge.class).nonce();
      ClientFrame.Register unsigned =
          new ClientFrame.Register(
              nickname,
              deadPort(),
              null,
              null,
              Fingerprints.of(keys.getPublic()),
              Base64.getEncoder().encodeToString(keys.getPublic().getEncoded()),
              List.of("tls", "ack", RelayFrames.CAP),
              null);
      Signature signer = Signature.getInstance("Ed25519");
      signer.initSign(keys.getPrivate());
      signer.update(unsigned.signedPayload(nonce));
      ws.send(unsigned.withSig(Base64.getEncoder().encodeToString(signer.sign())));
      ws.await(ServerFrame.Registered.class);
    }

    /** Asks for a session to bob, joins both sides and waits until the server paired them. */
    Session open(EventLoopGroup group, int port, String id) throws Exception {
      alice.send(new RelayFrames.Request(bobNickname, bobId, id));
      RelayFrames.Ready ready = alice.await(RelayFrames.Ready.class);
      RelayFrames.Offer offer = bob.await(RelayFrames.Offer.class);
      RelayClient a = RelayClient.connect(group, port, RelayFrames.PATH);
      RelayClient b = RelayClient.connect(group, port, RelayFrames.PATH);
      a.send(new RelayFrames.Join(ready.token()));
      b.send(new RelayFrames.Join(offer.token()));
      a.await(RelayFrames.Paired.class);
      b.await(RelayFrames.Paired.class);
      return new Session(a, b);
    }

    @Override
    public void close() {
      alice.close();
      bob.close();
    }
  }

  /** The server in its own JVM, driven over its standard input and output. */
  private static final class ServerProcess implements AutoCloseable {
    private final Process process;
    private final BufferedReader in;
    private final Writer commands;
    private final Path log;
    private final int port;

    private ServerProcess(Process process, Path log) throws IOException {
      this.process = process;
      this.log = log;
      this.in =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      this.commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
      String first = readLine("port");
      this.port = Integer.parseInt(first.substring("port ".length()).trim());
    }

    static ServerProcess start(long bytesPerSecond) throws IOException {
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      Path log = Files.createTempFile("parlance-bench-relay-server-", ".log");
      Process p =
          new ProcessBuilder(
                  java,
                  "-Xms512m",
                  "-Xmx512m",
                  "-XX:+UseSerialGC",
                  "-Dio.netty.leakDetection.level=disabled",
                  "-cp",
                  System.getProperty("java.class.path"),
                  RelayServerProcess.class.getName(),
                  Long.toString(bytesPerSecond))
              .redirectError(log.toFile())
              .start();
      try {
        return new ServerProcess(p, log);
      } catch (IOException | RuntimeException e) {
        p.destroyForcibly();
        throw e;
      }
    }

    int port() {
      return port;
    }

    private String readLine(String expected) throws IOException {
      String line = in.readLine();
      if (line == null || !line.startsWith(expected + " ")) {
        String errors = Files.exists(log) ? Files.readString(log) : "";
        throw new IOException(
            "the benchmark's server process did not answer '"
                + expected
                + "' (got "
                + line
                + "); its errors: "
                + errors.substring(Math.max(0, errors.length() - 2000)));
      }
      return line;
    }

    private String ask(String command) throws IOException {
      commands.write(command + "\n");
      commands.flush();
      return readLine(command);
    }

    long cpuNanos() throws IOException {
      return Long.parseLong(ask("cpu").substring(4).trim());
    }

    /** Returns heap after GC, direct memory, paired sessions. */
    long[] memory() throws IOException {
      return Arrays.stream(ask("memory").substring(7).trim().split(" "))
          .mapToLong(Long::parseLong)
          .toArray();
    }

    @Override
    public void close() throws IOException {
      try {
        commands.write("quit\n");
        commands.flush();
      } catch (IOException e) {
        // already gone
      }
      try {
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
      Files.deleteIfExists(log);
    }
  }
}
