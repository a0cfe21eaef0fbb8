package io.parlance.bootstrap;

import io.parlance.bootstrap.cluster.ClusterOptions;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Measures a cluster of 1, 2 and 3 in-process servers on a real {@code redis-server} for
 * docs/PERFORMANCE.md (not a test: it prints numbers and asserts none). Run: {@code mvn -pl
 * bootstrap-server -am verify -DskipITs -Dtest=ClusterMeasure
 * -Dsurefire.failIfNoSpecifiedTests=false -Dparlance.measure=true} ({@code
 * -Dparlance.measure.peers=1500}, {@code -Dparlance.measure.joins=100}).
 */
@EnabledIfSystemProperty(named = "parlance.measure", matches = "true")
class ClusterMeasure {

  private static final int PEERS = Integer.getInteger("parlance.measure.peers", 1500);
  private static final int JOINS = Integer.getInteger("parlance.measure.joins", 100);

  @Test
  void clustersOfOneTwoAndThreeServers() throws Exception {
    for (int n = 1; n <= 3; n++) {
      measure(n);
    }
  }

  private void measure(int n) throws Exception {
    List<BootstrapServer> servers = new ArrayList<>();
    List<ClusterTestPeer> peers = new ArrayList<>();
    try (RedisServer redis = RedisServer.start()) {
      for (int i = 0; i < n; i++) {
        servers.add(
            BootstrapServer.start(
                BootstrapServerConfig.builder()
                    .host("127.0.0.1")
                    .port(0)
                    .maxConnectionsPerIp(10_000)
                    .maxPendingPerIp(1_000)
                    .registrationRatePerIp(100_000, 100_000)
                    .cluster(ClusterOptions.defaults(redis.uri(), "s" + i, Duration.ofMinutes(10)))
                    .build()));
      }
      Map<String, Long> before = stats(redis);
      long t0 = System.nanoTime();
      int ok = 0;
      int window = 100;
      for (int from = 0; from < PEERS; from += window) {
        List<ClusterTestPeer> wave = new ArrayList<>();
        for (int i = from; i < Math.min(PEERS, from + window); i++) {
          URI uri = URI.create("ws://127.0.0.1:" + servers.get(i % n).port() + "/");
          wave.add(ClusterTestPeer.openQuiet(uri, String.format("p-%05d", i), 4000));
        }
        for (ClusterTestPeer p : wave) {
          try {
            p.registered.get(30, TimeUnit.SECONDS);
            ok++;
          } catch (Exception e) {
            // counted as not registered
          }
        }
        peers.addAll(wave);
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      Map<String, Long> after = stats(redis);
      long cmds = after.get("total_commands_processed") - before.get("total_commands_processed");
      long in = after.get("total_net_input_bytes") - before.get("total_net_input_bytes");
      long out = after.get("total_net_output_bytes") - before.get("total_net_output_bytes");
      long evalsha = after.getOrDefault("evalsha", 0L) - before.getOrDefault("evalsha", 0L);
      System.out.printf(
          "MEASURE n=%d registered=%d/%d in %.1f s (%.0f/s); per registration: %.2f commands"
              + " (%.2f EVALSHA), %.0f B in, %.0f B out (over the whole time, heartbeats"
              + " included)%n",
          n,
          ok,
          PEERS,
          seconds,
          ok / seconds,
          cmds / (double) ok,
          evalsha / (double) ok,
          in / (double) ok,
          out / (double) ok);

      // Join to visible: a watcher on the first server, peers joining on the last one.
      URI watch = URI.create("ws://127.0.0.1:" + servers.get(0).port() + "/");
      URI join = URI.create("ws://127.0.0.1:" + servers.get(n - 1).port() + "/");
      try (ClusterTestPeer watcher = ClusterTestPeer.open(watch, "watcher", 4000, null)) {
        watcher.registered.get(30, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (watcher.view.size() < ok && System.nanoTime() < deadline) {
          Thread.sleep(10);
        }
        List<Long> fromRegistered = new ArrayList<>();
        for (int j = 0; j < JOINS; j++) {
          String nick = String.format("j-%05d", j);
          ClusterTestPeer p = ClusterTestPeer.openQuiet(join, nick, 4000);
          peers.add(p);
          p.registered.get(30, TimeUnit.SECONDS);
          long r = System.nanoTime();
          long until = r + TimeUnit.SECONDS.toNanos(10);
          while (!watcher.view.containsKey(nick) && System.nanoTime() < until) {
            Thread.onSpinWait();
          }
          fromRegistered.add((System.nanoTime() - r) / 1_000);
        }
        Collections.sort(fromRegistered);
        System.out.printf(
            "MEASURE n=%d join-to-visible (registered on s%d, seen by a peer on s0): p50 %.1f ms,"
                + " p99 %.1f ms, max %.1f ms over %d joins%n",
            n,
            n - 1,
            fromRegistered.get(JOINS / 2) / 1000.0,
            fromRegistered.get((int) (JOINS * 0.99) - 1) / 1000.0,
            fromRegistered.get(JOINS - 1) / 1000.0,
            JOINS);
      }
    } finally {
      peers.forEach(ClusterTestPeer::close);
      servers.forEach(BootstrapServer::stop);
    }
  }

  /** INFO stats and commandstats: the counters, and each command's calls by lower-case name. */
  private static Map<String, Long> stats(RedisServer redis) throws Exception {
    Map<String, Long> m = new HashMap<>();
    for (String section : List.of("stats", "commandstats")) {
      for (String line : info(redis.port(), section).split("\r\n")) {
        int colon = line.indexOf(':');
        if (colon < 0) {
          continue;
        }
        String key = line.substring(0, colon);
        String value = line.substring(colon + 1);
        if (key.startsWith("cmdstat_")) {
          String calls = value.substring(value.indexOf("calls=") + 6, value.indexOf(','));
          m.put(key.substring(8), Long.parseLong(calls));
        } else if (value.matches("\\d+")) {
          m.put(key, Long.parseLong(value));
        }
      }
    }
    return m;
  }

  private static String info(int port, String section) throws Exception {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
      s.setSoTimeout(5000);
      OutputStream out = s.getOutputStream();
      out.write(("INFO " + section + "\r\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = s.getInputStream();
      StringBuilder head = new StringBuilder();
      int c;
      while ((c = in.read()) >= 0 && c != '\n') {
        head.append((char) c);
      }
      int len = Integer.parseInt(head.toString().trim().substring(1));
      byte[] body = in.readNBytes(len);
      return new String(body, StandardCharsets.UTF_8);
    }
  }
}
