package io.parlance.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Two bootstrap-server processes on a real {@code redis-server}, one of them killed with {@code
 * kill -9}: its keyed peer moves to the other server and is seen as the same peer (no leave), and
 * its plain peer that does not come back is gone from every listing and from Redis within the bound
 * (liveness 3 s plus a 1 s heartbeat, the defaults).
 */
class ClusterKillIT {

  /** The bound, and slack for a loaded machine's scheduling (timings are in PERFORMANCE.md). */
  private static final long BOUND_MILLIS = 3_000 + 1_000;

  @Test
  void aServerKilledWithSigkillLeavesNoGhostPastTheBoundAndItsPeerMoves() throws Exception {
    try (RedisServer redis = RedisServer.start();
        ServerProcess a =
            ServerProcess.start(
                ServerProcess.freePort(), "--redis", redis.uri(), "--server-id", "a");
        ServerProcess dead =
            ServerProcess.start(
                ServerProcess.freePort(), "--redis", redis.uri(), "--server-id", "dead")) {
      URI toA = URI.create("ws://127.0.0.1:" + a.port() + "/");
      URI toDead = URI.create("ws://127.0.0.1:" + dead.port() + "/");
      TestKeys carolKeys = TestKeys.generate();
      try (ClusterTestPeer watcher = ClusterTestPeer.open(toA, "watcher", 4001, null);
          ClusterTestPeer carol = ClusterTestPeer.open(toDead, "carol", 4002, carolKeys);
          ClusterTestPeer ghost = ClusterTestPeer.open(toDead, "ghost", 4003, null)) {
        for (ClusterTestPeer p : List.of(watcher, carol, ghost)) {
          p.registered.get(30, TimeUnit.SECONDS);
        }
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> watcher.view.keySet().containsAll(List.of("carol", "ghost")));

        Process kill =
            new ProcessBuilder("kill", "-9", Long.toString(dead.pid())).inheritIO().start();
        assertThat(kill.waitFor()).isZero();
        assertThat(dead.waitForExit()).isEqualTo(137);

        // carol's client fails over to a at once; her key re-claims her nickname there.
        try (ClusterTestPeer moved = ClusterTestPeer.open(toA, "carol", 4002, carolKeys)) {
          moved.registered.get(30, TimeUnit.SECONDS);
          await()
              .atMost(Duration.ofMillis(BOUND_MILLIS + 10_000))
              .until(
                  () ->
                      !watcher.view.containsKey("ghost")
                          && redis.command("EXISTS parlance:peer:ghost").equals(":0"));
          assertThat(watcher.view).containsKey("carol");
          assertThat(watcher.sawLeave).contains("ghost").doesNotContain("carol");
          assertThat(redis.integer("SCARD parlance:peers")).isEqualTo(2);
        }
      }
    }
  }
}
