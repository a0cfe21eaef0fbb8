package io.parlance.bench.relay;

import io.netty.util.internal.PlatformDependent;
import io.parlance.bootstrap.BootstrapServer;
import io.parlance.bootstrap.BootstrapServerConfig;
import io.parlance.bootstrap.relay.RelayLimits;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The bootstrap server of the relay benchmark, in a JVM of its own so that its memory is its own:
 * started by {@link RelayBenchmark}, on 127.0.0.1 and an ephemeral port, with the relay's default
 * limits except the session counts (raised so one pair of peers may hold every measured session)
 * and, when the first argument is positive, the bytes per second per session.
 *
 * <p>It prints {@code port N} once listening, then answers lines on standard input: {@code memory}
 * (collects garbage, then prints {@code memory HEAP DIRECT PAIRED}: heap used after the collection,
 * direct memory used by Netty and by the JDK's buffers, and the paired sessions it holds), {@code
 * cpu} (prints {@code cpu NANOS}, the process's CPU time so far) and {@code quit}. It stops at the
 * end of its input, so it never outlives the benchmark.
 */
public final class RelayServerProcess {

  /** Most sessions the benchmark's server allows, in all and per peer. */
  public static final int MAX_SESSIONS = 2_000;

  private RelayServerProcess() {}

  /**
   * Limits of the benchmark's server.
   *
   * @param bytesPerSecond bytes per second per session and direction; 0 for the default
   * @return the limits
   */
  static RelayLimits limits(long bytesPerSecond) {
    RelayLimits d = RelayLimits.DEFAULTS;
    return new RelayLimits(
        true,
        MAX_SESSIONS,
        MAX_SESSIONS,
        bytesPerSecond > 0 ? bytesPerSecond : d.bytesPerSecondPerSession(),
        d.idleTimeout(),
        d.joinTimeout(),
        d.probeTimeout(),
        d.probesPerSecond());
  }

  /**
   * Runs the server until its input ends or says {@code quit}.
   *
   * @param args the bytes per second per session ({@code 0}: the default)
   * @throws Exception if the server cannot start
   */
  public static void main(String[] args) throws Exception {
    long bytesPerSecond = args.length > 0 ? Long.parseLong(args[0]) : 0;
    BootstrapServer server =
        BootstrapServer.start(
            BootstrapServerConfig.builder()
                .host("127.0.0.1")
                .port(0)
                .maxConnectionsPerIp(3 * MAX_SESSIONS)
                .registrationRatePerIp(1000, 1000)
                .frameRate(5000, 5000)
                .relay(limits(bytesPerSecond))
                .build());
    try {
      System.out.println("port " + server.port());
      System.out.flush();
      BufferedReader in =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      String line;
      while ((line = in.readLine()) != null && !line.equals("quit")) {
        if (line.equals("memory")) {
          System.out.println("memory " + heapAfterGc() + " " + directUsed() + " " + paired(server));
        } else if (line.equals("cpu")) {
          System.out.println(
              "cpu "
                  + ProcessHandle.current()
                      .info()
                      .totalCpuDuration()
                      .orElse(Duration.ZERO)
                      .toNanos());
        } else {
          System.out.println("unknown " + line.length());
        }
        System.out.flush();
      }
    } finally {
      server.stop();
    }
  }

  private static long heapAfterGc() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static long directUsed() {
    long total = Math.max(0, PlatformDependent.usedDirectMemory());
    for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
      if (pool.getName().equals("direct")) {
        total += pool.getMemoryUsed();
      }
    }
    return total;
  }

  private static long paired(BootstrapServer server) {
    for (String line : server.scrapeMetrics().split("\n")) {
      if (line.startsWith("bootstrap_relay_sessions_paired ")) {
        return (long) Double.parseDouble(line.substring(line.indexOf(' ') + 1).trim());
      }
    }
    return -1;
  }
}
