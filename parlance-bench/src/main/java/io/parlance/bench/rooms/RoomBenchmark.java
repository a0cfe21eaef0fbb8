package io.parlance.bench.rooms;

import io.parlance.bench.Ports;
import io.parlance.client.node.NodeEvent;
import io.parlance.client.node.NodeOptions;
import io.parlance.client.node.PeerNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.HdrHistogram.Histogram;

/**
 * A room of N real nodes on loopback in one process (TLS, the durable outbox and acks, SQLite
 * each): how long until every member shows a message (p50, p99), room messages per second from one
 * member, and how long a member that was away takes to catch up with 1,000 messages.
 *
 * <p>{@code java -cp parlance-bench.jar io.parlance.bench.rooms.RoomBenchmark [members] [samples]}
 */
public final class RoomBenchmark {

  private RoomBenchmark() {}

  /** One member and what it showed. */
  record Member(PeerNode node, Path dir, Map<String, Long> shown, AtomicInteger count) {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    int samples = args.length > 1 ? Integer.parseInt(args[1]) : 200;
    int burst = args.length > 2 ? Integer.parseInt(args[2]) : 1000;
    int port = Ports.privateMulticastPort();
    Path base = Files.createTempDirectory("roombench");
    List<Member> members = new ArrayList<>();
    try {
      for (int i = 0; i < n; i++) {
        members.add(start("m" + i, base.resolve("m" + i), port));
      }
      waitFor(
          "discovery", 120, () -> members.stream().allMatch(m -> m.node.peers().size() >= n - 1));
      Member creator = members.get(0);
      String room = creator.node.rooms().create("bench").get(10, TimeUnit.SECONDS).id();
      for (Member m : members.subList(1, n)) {
        invite(creator, m, room);
        join(m, room);
      }
      waitFor("membership", 120, () -> members.stream().allMatch(m -> info(m, room) == n));

      // latency: one message every 20 ms from a rotating member, until all others show it
      Histogram latency = new Histogram(TimeUnit.MINUTES.toNanos(1), 3);
      Map<String, Long> sentAt = new ConcurrentHashMap<>();
      for (int i = 0; i < samples; i++) {
        Member from = members.get(i % n);
        String text = "lat " + i;
        sentAt.put(text, System.nanoTime());
        from.node.rooms().say(room, text);
        Thread.sleep(20);
      }
      waitFor(
          "latency samples",
          120,
          () -> members.stream().allMatch(m -> m.count.get() >= samples - samples / n - 1));
      for (Map.Entry<String, Long> e : sentAt.entrySet()) {
        long last = 0;
        boolean all = true;
        int author = Integer.parseInt(e.getKey().substring(4)) % n;
        for (int j = 0; j < n; j++) {
          if (j == author) {
            continue;
          }
          Long at = members.get(j).shown.get(e.getKey());
          if (at == null) {
            all = false;
            break;
          }
          last = Math.max(last, at);
        }
        if (all) {
          latency.recordValue(Math.max(0, last - e.getValue()));
        }
      }
      System.out.printf(
          "members=%d samples=%d all-shown p50=%.1f ms p99=%.1f ms max=%.1f ms%n",
          n,
          latency.getTotalCount(),
          latency.getValueAtPercentile(50) / 1e6,
          latency.getValueAtPercentile(99) / 1e6,
          latency.getMaxValue() / 1e6);

      // throughput: a burst from the creator, until every member shows all of it
      int[] before = members.stream().mapToInt(m -> m.count.get()).toArray();
      long start = System.nanoTime();
      for (int i = 0; i < burst; i++) {
        creator.node.rooms().say(room, "burst " + i);
      }
      waitFor(
          "burst",
          600,
          () -> {
            for (int j = 1; j < n; j++) {
              if (members.get(j).count.get() - before[j] < burst) {
                return false;
              }
            }
            return true;
          });
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.printf(
          "members=%d burst=%d room-msgs/s=%.0f (%.0f deliveries/s)%n",
          n, burst, burst / seconds, burst * (n - 1) / seconds);

      // catch-up: the last member stops, the creator writes 1,000, the member starts again
      Member away = members.get(n - 1);
      away.node.stop();
      for (int i = 0; i < 1000; i++) {
        creator.node.rooms().say(room, "missed " + i);
      }
      Thread.sleep(2000);
      Member back = start(away.node.nickname(), away.dir, port);
      members.set(n - 1, back);
      long restart = System.nanoTime();
      waitFor("catch-up", 600, () -> back.count.get() >= 1000);
      System.out.printf(
          "members=%d catch-up of 1000 missed messages: %.2f s after the restart%n",
          n, (System.nanoTime() - restart) / 1e9);
    } finally {
      for (Member m : members) {
        m.node.stop();
      }
    }
  }

  /** Invites a member, trying again until the creator lists its key (its signed announce). */
  static void invite(Member creator, Member m, String room) throws InterruptedException {
    waitFor(
        "invite " + m.node.nickname(),
        60,
        () -> {
          try {
            creator.node.rooms().invite(room, creator.node.resolve(m.node.nickname())).get();
            return true;
          } catch (Exception e) {
            return false;
          }
        });
  }

  /** Accepts the invitation, trying again until it has arrived. */
  static void join(Member m, String room) throws InterruptedException {
    waitFor(
        "join " + m.node.nickname(),
        60,
        () -> {
          try {
            m.node.rooms().join(room).get();
            return true;
          } catch (Exception e) {
            return false;
          }
        });
  }

  static int info(Member m, String room) {
    try {
      return m.node.rooms().info(room).get().members();
    } catch (Exception e) {
      return 0;
    }
  }

  static Member start(String nick, Path dir, int port) throws InterruptedException {
    PeerNode node =
        new PeerNode(
            NodeOptions.builder(nick)
                .interfaceName("lo")
                .bindHost("127.0.0.1")
                .multicastPort(port)
                .ioThreads(1)
                .dataDir(dir)
                .maxLinesPerSecond(Integer.MAX_VALUE)
                // every member is on 127.0.0.1: a full mesh of 50 is 49 connections from one
                // address, over the default of 32
                .maxInboundConnectionsPerAddress(256)
                .eventQueueCapacity(1_000_000)
                .build());
    Map<String, Long> shown = new ConcurrentHashMap<>();
    AtomicInteger count = new AtomicInteger();
    node.addListener(
        e -> {
          if (e instanceof NodeEvent.RoomActivity a && a.kind().equals("message")) {
            shown.putIfAbsent(a.text(), System.nanoTime());
            count.incrementAndGet();
          }
        });
    node.start();
    return new Member(node, dir, shown, count);
  }

  static void waitFor(String what, int seconds, BooleanSupplier done) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out waiting for " + what);
      }
      Thread.sleep(50);
    }
  }
}
