package io.parlance.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The issue-17 NAT lab across real network namespaces: runs {@code scripts/natlab.sh test} (a
 * bootstrap server in {@code nlab-srv} on the lab's "internet", alice in {@code nlab-ha} behind one
 * masquerading router and bob in {@code nlab-hb} behind another, each a real process from the built
 * jars with its own XDG directories) and checks what it reports: the server tells both it could not
 * connect back to them and a direct connect from alice to bob's address fails; with symmetric NATs
 * (both routers {@code MASQUERADE --random-fully}) both hole punches fail and chat goes both ways
 * through the server's relay, each message acknowledged, {@code /peers} saying {@code relayed via};
 * then, the peers restarted behind endpoint-independent NATs (plain {@code MASQUERADE}), the server
 * coordinates a hole punch each way, a stream of 200 messages begun on the relay moves to the
 * punched link with each message arriving once and acked, {@code /peers} says {@code hole-punched}
 * and chat goes over the punched links, acked, each message once; a tcpdump capture at the server
 * holds the peers' traffic but no message text.
 *
 * <p>It needs root and both jars (the reactor builds them before this module's integration tests);
 * the script installs iproute2, iptables, tcpdump and jq with apt-get when they are missing, and
 * the test is skipped, saying why, when it cannot (the script's exit code 3) or is not root. The
 * run is bounded: past {@link #LIMIT_SECONDS} the script and its peers are ended and the lab taken
 * down (the script takes it down itself when it ends, passed or failed).
 */
class NatLabIT {

  /** The most the whole run may take, lab set-up and take-down included. */
  static final long LIMIT_SECONDS = 150;

  @TempDir Path work;

  @Test
  void peersBehindSymmetricNatsAreRelayedAndBehindEimNatsHolePunchedAndTheServerSeesNoText()
      throws Exception {
    Path script = LabScript.script("natlab.sh", "the NAT lab");
    Path root = LabScript.root();
    for (String jar :
        List.of(
            "parlance-client/target/parlance.jar",
            "bootstrap-server/target/bootstrap-server.jar")) {
      assumeTrue(
          Files.isRegularFile(root.resolve(jar)), jar + " is missing: package the modules first");
    }

    LabScript.Result run =
        LabScript.test(
            script,
            Map.of("NATLAB_DIR", work.resolve("lab").toString()),
            work.resolve("natlab.log"),
            LIMIT_SECONDS,
            "natlab.sh test");
    String out = run.out();
    assertThat(out)
        .as("natlab.sh's output")
        .doesNotContain("FAIL")
        .contains("ok: both peers registered through their NATs")
        .contains("ok: direct fails")
        .contains("ok: symmetric NATs: both hole punches failed")
        .contains("relayed chat both ways, each message acknowledged")
        .contains("/peers: alice->bob 'relayed via 198.19.0.10:8080'")
        .contains(
            "ok: EIM NATs: a stream of 200 from alice arrived whole, each message once and acked")
        .contains("ok: EIM NATs: holes punched both ways")
        .contains("/peers: alice->bob 'hole-punched', bob->alice 'hole-punched'")
        .contains("holds no message text")
        .contains("PASS");
    assertThat(run.exitCode()).as("natlab.sh's exit code; output:%n%s", out).isZero();
  }
}
