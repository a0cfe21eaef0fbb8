package io.parlance.client.bench;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.parlance.client.messaging.AckListener;
import io.parlance.client.messaging.ConnectionPool;
import io.parlance.client.messaging.MessageServer;
import io.parlance.client.messaging.PeerTls;
import io.parlance.client.security.Identity;
import io.parlance.client.security.PeerId;
import io.parlance.client.security.TlsContexts;
import io.parlance.protocol.wire.ChatLine;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures, on loopback only, what encryption costs: messages per second over one reused connection
 * (the connection layer alone, without acknowledgements), plain and TLS, and the time to set up a
 * connection and write a first line, plain and TLS (handshake and id check included). Not a test:
 * run it by hand (see docs/PERFORMANCE.md). Bounded in count; stops by itself.
 */
public final class SecurityMeasure {

  private SecurityMeasure() {}

  /**
   * Runs the measurements.
   *
   * @param args optional: the number of rounds (default 5)
   * @throws Exception if a measurement fails
   */
  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    for (int round = 1; round <= rounds; round++) {
      System.out.printf("round %d%n", round);
      throughput(100_000, false);
      throughput(100_000, true);
      setup(300, false);
      setup(300, true);
    }
  }

  private static void throughput(int count, boolean tls) throws Exception {
    Identity server = Identity.generate();
    Identity client = Identity.generate();
    EventLoopGroup group = new NioEventLoopGroup(2);
    AtomicLong received = new AtomicLong();
    try {
      MessageServer listener = listener(server, received, 16, Integer.MAX_VALUE);
      InetSocketAddress at = listener.start(group);
      ConnectionPool pool =
          new ConnectionPool(
              group,
              Duration.ofSeconds(5),
              Duration.ofSeconds(30),
              Duration.ofSeconds(60),
              TlsContexts.client(client),
              AckListener.NONE);
      PeerId expected = tls ? server.id() : null;
      pool.send(at, expected, ChatLine.now("sender", "warm-up")).get(10, TimeUnit.SECONDS);
      waitFor(received, 1);
      received.set(0);
      long start = System.nanoTime();
      CompletableFuture<Void> last = null;
      for (int i = 0; i < count; i++) {
        last = pool.send(at, expected, ChatLine.now("sender", "message number " + i));
      }
      last.get(60, TimeUnit.SECONDS);
      waitFor(received, count);
      long nanos = System.nanoTime() - start;
      System.out.printf(
          "  %-5s one reused connection: %d messages in %.0f ms = %.0f messages/s%n",
          tls ? "TLS" : "plain", count, nanos / 1e6, count / (nanos / 1e9));
      pool.close(Duration.ofSeconds(1));
      listener.close(Duration.ofSeconds(1));
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  private static void setup(int connections, boolean tls) throws Exception {
    Identity server = Identity.generate();
    Identity client = Identity.generate();
    EventLoopGroup group = new NioEventLoopGroup(2);
    AtomicLong received = new AtomicLong();
    try {
      MessageServer listener = listener(server, received, 1024, 1000);
      InetSocketAddress at = listener.start(group);
      PeerId expected = tls ? server.id() : null;
      List<Long> micros = new ArrayList<>();
      var clientContext = TlsContexts.client(client);
      for (int i = 0; i < connections; i++) {
        ConnectionPool pool =
            new ConnectionPool(
                group,
                Duration.ofSeconds(5),
                Duration.ofSeconds(5),
                Duration.ofSeconds(60),
                clientContext,
                AckListener.NONE);
        long start = System.nanoTime();
        pool.send(at, expected, ChatLine.now("setup", "hello " + i)).get(10, TimeUnit.SECONDS);
        micros.add((System.nanoTime() - start) / 1000);
        pool.close(Duration.ofSeconds(1));
      }
      waitFor(received, connections);
      listener.close(Duration.ofSeconds(1));
      // The first tenth warms the JIT up.
      List<Long> measured = new ArrayList<>(micros.subList(connections / 10, connections));
      Collections.sort(measured);
      System.out.printf(
          "  %-5s connection set-up + first line: median %.2f ms, p90 %.2f ms (%d connections)%n",
          tls ? "TLS" : "plain",
          measured.get(measured.size() / 2) / 1000.0,
          measured.get(measured.size() * 9 / 10) / 1000.0,
          measured.size());
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  /** A listener on loopback that accepts TLS and plain connections and counts the lines. */
  private static MessageServer listener(
      Identity identity, AtomicLong received, int maxConnections, int maxLinesPerSecond) {
    return new MessageServer(
        new InetSocketAddress("127.0.0.1", 0),
        (line, channel) -> received.incrementAndGet(),
        maxConnections,
        65_536,
        maxLinesPerSecond,
        Duration.ofMinutes(1),
        new PeerTls.Contexts(TlsContexts.server(identity), TlsContexts.client(identity), false));
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
}
