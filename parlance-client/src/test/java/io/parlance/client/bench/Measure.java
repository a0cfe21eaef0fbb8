package io.parlance.client.bench;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.parlance.client.messaging.ConnectionPool;
import io.parlance.client.node.NodeEvent;
import io.parlance.client.node.NodeOptions;
import io.parlance.client.node.PeerNode;
import io.parlance.client.peer.Peer;
import io.parlance.client.store.DeliveryState;
import io.parlance.protocol.wire.ChatLine;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures, on loopback only, the time until two fresh peers list each other, the message rate over
 * one reused connection fire-and-forget, with acknowledgements, and with acknowledgements and the
 * durable outbox, and the rate with one connection per message. Not a test: run it by hand (see
 * docs/PERFORMANCE.md); {@code Measure delivery [count] [runs]} runs the delivery part only. Stops
 * by itself.
 */
public final class Measure {

  private static final int BASE_PORT = 47_000;

  private Measure() {}

  /**
   * Runs the measurements.
   *
   * @param args ignored
   * @throws Exception if a measurement fails
   */
  public static void main(String[] args) throws Exception {
    boolean deliveryOnly = args.length > 0 && args[0].equals("delivery");
    int count = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
    int runs = args.length > 2 ? Integer.parseInt(args[2]) : 5;
    if (!deliveryOnly) {
      discovery(10);
    }
    for (Mode mode : Mode.values()) {
      delivery(mode, count, runs);
    }
    if (!deliveryOnly) {
      connectionPerMessage(5_000);
    }
  }

  private static NodeOptions.Builder options(String nick, int multicastPort) {
    return NodeOptions.builder(nick)
        .interfaceName("lo")
        .bindHost("127.0.0.1")
        .multicastPort(multicastPort)
        .maxLinesPerSecond(Integer.MAX_VALUE)
        .eventQueueCapacity(1_000_000);
  }

  private static void discovery(int runs) throws Exception {
    List<Long> micros = new ArrayList<>();
    for (int i = 0; i < runs; i++) {
      int port = BASE_PORT + i;
      long start = System.nanoTime();
      try (PeerNode a = new PeerNode(options("a" + i, port).build());
          PeerNode b = new PeerNode(options("b" + i, port).build())) {
        a.start();
        b.start();
        while (a.peers().isEmpty() || b.peers().isEmpty()) {
          if (System.nanoTime() - start > TimeUnit.SECONDS.toNanos(10)) {
            throw new IllegalStateException("peers did not find each other in 10 s");
          }
          Thread.onSpinWait();
        }
        micros.add((System.nanoTime() - start) / 1000);
      }
    }
    List<Long> sorted = micros.stream().sorted().toList();
    System.out.printf(
        "discovery: two fresh peers list each other in median %.1f ms (min %.1f, max %.1f, %d"
            + " runs, including binding both nodes)%n",
        sorted.get(sorted.size() / 2) / 1000.0,
        sorted.get(0) / 1000.0,
        sorted.get(sorted.size() - 1) / 1000.0,
        runs);
  }

  /** How the sender writes in one run of {@link #delivery}. */
  private enum Mode {
    /** The connection pool alone: no ids, no outbox, no acknowledgements (the plain protocol). */
    FIRE_AND_FORGET("fire-and-forget (pool writes, no outbox, no acks)"),
    /** Through the outbox, with acks, both stores in memory: the protocol's cost alone. */
    ACKED_IN_MEMORY("acknowledged, outbox and history in memory"),
    /** Through the durable outbox with acks, both stores on disk: what a user gets. */
    ACKED_ON_DISK("acknowledged, durable outbox and history on disk (WAL, synchronous=FULL)");

    private final String label;

    Mode(String label) {
      this.label = label;
    }
  }

  /**
   * Sends {@code count} messages from one node to another over loopback and times them until the
   * last one is received (fire-and-forget) or acknowledged (the other modes).
   */
  private static void delivery(Mode mode, int count, int runs) throws Exception {
    List<Double> rates = new ArrayList<>();
    for (int run = 0; run < runs; run++) {
      int port = BASE_PORT + 200 + mode.ordinal() * 10 + run;
      Path dir = Files.createTempDirectory("parlance-measure-");
      boolean disk = mode == Mode.ACKED_ON_DISK;
      AtomicLong received = new AtomicLong();
      AtomicLong delivered = new AtomicLong();
      try (PeerNode a =
              new PeerNode(
                  options("sender", port).dataDir(disk ? dir.resolve("a") : null).build());
          PeerNode b =
              new PeerNode(
                  options("receiver", port).dataDir(disk ? dir.resolve("b") : null).build())) {
        b.addListener(
            e -> {
              if (e instanceof NodeEvent.MessageReceived) {
                received.incrementAndGet();
              }
            });
        a.addListener(
            e -> {
              if (e instanceof NodeEvent.Delivery d && d.state() == DeliveryState.DELIVERED) {
                delivered.incrementAndGet();
              }
            });
        Files.createDirectories(dir.resolve("a"));
        Files.createDirectories(dir.resolve("b"));
        a.start();
        b.start();
        while (a.peers().isEmpty()) {
          Thread.onSpinWait();
        }
        Peer peer = a.peers().get(0);
        a.send(peer, "warm-up").get(5, TimeUnit.SECONDS);
        waitFor(received, 1);
        waitFor(delivered, 1);
        received.set(0);
        delivered.set(0);
        long start = System.nanoTime();
        if (mode == Mode.FIRE_AND_FORGET) {
          EventLoopGroup group = new NioEventLoopGroup(1);
          try {
            ConnectionPool pool =
                new ConnectionPool(
                    group, Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(60));
            CompletableFuture<Void> last = null;
            for (int i = 0; i < count; i++) {
              last = pool.send(peer.address(), new ChatLine("sender", "message number " + i, 1));
            }
            last.get(60, TimeUnit.SECONDS);
            waitFor(received, count);
            pool.close(Duration.ofSeconds(2));
          } finally {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
          }
        } else {
          for (int i = 0; i < count; i++) {
            a.send(peer, "message number " + i);
          }
          waitFor(delivered, count);
        }
        double rate = count / ((System.nanoTime() - start) / 1e9);
        rates.add(rate);
        System.out.printf("  %s, run %d: %.0f messages/s%n", mode.label, run + 1, rate);
      } finally {
        deleteTree(dir);
      }
    }
    List<Double> sorted = rates.stream().sorted().toList();
    System.out.printf(
        "%s: %d messages, median %.0f messages/s (min %.0f, max %.0f, %d runs)%n",
        mode.label,
        count,
        sorted.get(sorted.size() / 2),
        sorted.get(0),
        sorted.get(sorted.size() - 1),
        runs);
  }

  private static void deleteTree(Path dir) throws IOException {
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static void connectionPerMessage(int count) throws Exception {
    int port = BASE_PORT + 101;
    AtomicLong received = new AtomicLong();
    try (PeerNode b = new PeerNode(options("receiver", port).build())) {
      b.addListener(
          e -> {
            if (e instanceof NodeEvent.MessageReceived) {
              received.incrementAndGet();
            }
          });
      int tcp = b.start();
      long start = System.nanoTime();
      for (int i = 0; i < count; i++) {
        try (Socket s = new Socket("127.0.0.1", tcp)) {
          OutputStream out = s.getOutputStream();
          out.write(
              ("{\"from\":\"rusty\",\"content\":\"message number " + i + "\",\"timestamp\":1}\n")
                  .getBytes(StandardCharsets.UTF_8));
        }
      }
      waitFor(received, count);
      report(
          "one connection per message (as the Rust Parlance sends)",
          count,
          System.nanoTime() - start,
          b.inboundConnectionsAccepted());
    }
  }

  private static void waitFor(AtomicLong counter, long target) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (counter.get() < target) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("only " + counter.get() + " of " + target + " arrived");
      }
      Thread.sleep(1);
    }
  }

  private static void report(String what, int count, long nanos, long connections) {
    System.out.printf(
        "%s: %d messages in %.0f ms = %.0f messages/s (%d connection(s))%n",
        what, count, nanos / 1e6, count / (nanos / 1e9), connections);
  }
}
