package io.parlance.client.bench;

import io.parlance.client.node.NodeEvent;
import io.parlance.client.node.NodeOptions;
import io.parlance.client.node.PeerNode;
import io.parlance.client.peer.Peer;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures, on loopback only, the time until two fresh peers list each other and the message rate
 * over one reused connection and with one connection per message. Not a test: run it by hand (see
 * the README's development notes). Stops by itself.
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
    discovery(10);
    reusedConnection(100_000);
    connectionPerMessage(5_000);
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

  private static void reusedConnection(int count) throws Exception {
    int port = BASE_PORT + 100;
    AtomicLong received = new AtomicLong();
    try (PeerNode a = new PeerNode(options("sender", port).build());
        PeerNode b = new PeerNode(options("receiver", port).build())) {
      b.addListener(
          e -> {
            if (e instanceof NodeEvent.MessageReceived) {
              received.incrementAndGet();
            }
          });
      a.start();
      b.start();
      while (a.peers().isEmpty()) {
        Thread.onSpinWait();
      }
      Peer peer = a.peers().get(0);
      a.send(peer, "warm-up").get(5, TimeUnit.SECONDS);
      waitFor(received, 1);
      received.set(0);
      long start = System.nanoTime();
      CompletableFuture<Peer> last = null;
      for (int i = 0; i < count; i++) {
        last = a.send(peer, "message number " + i);
      }
      last.get(60, TimeUnit.SECONDS);
      waitFor(received, count);
      report(
          "one reused connection", count, System.nanoTime() - start, a.outboundConnectionsOpened());
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
