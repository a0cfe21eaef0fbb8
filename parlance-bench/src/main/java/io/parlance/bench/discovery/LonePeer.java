package io.parlance.bench.discovery;

import io.parlance.client.node.NodeOptions;
import io.parlance.client.node.PeerNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * One peer in a process of its own, for the discovery benchmark to kill without a goodbye (a crash,
 * as other peers see it). Discovery on {@code lo} only. Prints {@code ready PORT}, then runs until
 * its standard input closes or a time limit passes, and stops.
 *
 * <pre>
 * java -cp benchmarks.jar io.parlance.bench.discovery.LonePeer MULTICAST_PORT NICKNAME
 *     ANNOUNCE_MILLIS PEER_TIMEOUT_MILLIS MAX_SECONDS
 * </pre>
 */
public final class LonePeer {

  private LonePeer() {}

  /**
   * Runs the peer.
   *
   * @param args multicast port, nickname, announce interval and peer timeout in milliseconds, the
   *     longest run in seconds (at most 600)
   * @throws Exception if the peer cannot start
   */
  public static void main(String[] args) throws Exception {
    int multicastPort = Integer.parseInt(args[0]);
    long maxSeconds = Math.min(Long.parseLong(args[4]), 600);
    PrintStream out = System.out;
    try (PeerNode node =
        new PeerNode(
            NodeOptions.builder(args[1])
                .interfaceName("lo")
                .bindHost("127.0.0.1")
                .multicastPort(multicastPort)
                .announceInterval(Duration.ofMillis(Long.parseLong(args[2])))
                .peerTimeout(Duration.ofMillis(Long.parseLong(args[3])))
                .build())) {
      out.println("ready " + node.start());
      out.flush();
      Thread stdinWatcher =
          new Thread(
              () -> {
                try (InputStream in = System.in) {
                  while (in.read() >= 0) {
                    // Nothing is sent; end of input means the benchmark is gone.
                  }
                } catch (IOException e) {
                  // Same meaning: the benchmark is gone.
                }
              },
              "stdin-watcher");
      stdinWatcher.setDaemon(true);
      stdinWatcher.start();
      stdinWatcher.join(TimeUnit.SECONDS.toMillis(maxSeconds));
    }
  }
}
