package io.parlance.client.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Starts the built client as real processes in --json mode on loopback and talks to them. */
class ClientProcessesIT {

  private final int multicastPort = 40_000 + ThreadLocalRandom.current().nextInt(10_000);
  private final String suffix = Integer.toString(ThreadLocalRandom.current().nextInt(1000, 9999));
  private final List<ParlanceProcess> started = new ArrayList<>();

  @AfterEach
  void stopAll() {
    started.forEach(ParlanceProcess::close);
  }

  private ParlanceProcess start(String base, String... extra) throws Exception {
    ParlanceProcess p = ParlanceProcess.start(base + "-" + suffix, multicastPort, extra);
    started.add(p);
    return p;
  }

  private static boolean joined(JsonNode e, ParlanceProcess who) {
    return e.path("nickname").asText().equals(who.nickname)
        && e.path("address").asText().equals(who.address());
  }

  @Test
  void peersDiscoverEachOtherChatBroadcastListAndSayGoodbye() throws Exception {
    ParlanceProcess alice = start("alice");
    ParlanceProcess bob = start("bob");
    ParlanceProcess carol = start("carol");
    for (ParlanceProcess p : List.of(alice, bob, carol)) {
      assertThat(p.await("ready", e -> true).path("nickname").asText()).isEqualTo(p.nickname);
    }
    for (ParlanceProcess p : List.of(alice, bob, carol)) {
      for (ParlanceProcess q : List.of(alice, bob, carol)) {
        if (p != q) {
          JsonNode e = p.await("peer_joined", j -> joined(j, q));
          assertThat(e.path("via").asText()).isEqualTo("lan");
        }
      }
    }

    alice.command("/send " + bob.nickname + " hello bob 😀");
    JsonNode got = bob.await("message", e -> e.path("content").asText().equals("hello bob 😀"));
    assertThat(got.path("from").asText()).isEqualTo(alice.nickname);
    assertThat(got.path("address").asText()).isEqualTo(alice.address());
    assertThat(got.path("timestamp").asLong()).isPositive();
    alice.await("sent", e -> e.path("to").asText().equals(bob.nickname));

    bob.command("/send " + alice.nickname + " hi alice");
    alice.await("message", e -> e.path("content").asText().equals("hi alice"));

    carol.command("/broadcast hello everyone");
    alice.await("message", e -> e.path("content").asText().equals("hello everyone"));
    bob.await("message", e -> e.path("content").asText().equals("hello everyone"));

    alice.command("/peers");
    JsonNode peers = alice.await("peers", e -> true);
    assertThat(
            StreamSupport.stream(peers.path("peers").spliterator(), false)
                .map(p -> p.path("nickname").asText()))
        .contains(bob.nickname, carol.nickname)
        .doesNotContain(alice.nickname);

    alice.command("/dance");
    assertThat(alice.await("error", e -> e.path("message").asText().contains("unknown command")))
        .isNotNull();
    alice.command("/send nobody-" + suffix + " are you there");
    alice.await("error", e -> e.path("message").asText().contains("no peer called nobody"));
    alice.command("hello without a command");
    alice.await("error", e -> e.path("message").asText().contains("/send"));

    carol.closeStdin();
    assertThat(carol.process().waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(carol.process().exitValue()).isZero();
    alice.await("peer_left", e -> joined(e, carol) && e.path("reason").asText().equals("goodbye"));
    bob.await("peer_left", e -> joined(e, carol) && e.path("reason").asText().equals("goodbye"));
  }

  @Test
  void aKilledPeerTimesOut() throws Exception {
    ParlanceProcess alice = start("alice", "--announce-interval", "1", "--peer-timeout", "3");
    ParlanceProcess bob = start("bob", "--announce-interval", "1", "--peer-timeout", "3");
    alice.await("peer_joined", e -> joined(e, bob));

    bob.process().destroyForcibly();

    JsonNode left = alice.await("peer_left", e -> joined(e, bob), Duration.ofSeconds(10));
    assertThat(left.path("reason").asText()).isEqualTo("timeout");
  }

  @Test
  void aSharedNicknameMustBeNamedByAddress() throws Exception {
    ParlanceProcess dave1 = start("dave");
    ParlanceProcess dave2 = start("dave");
    ParlanceProcess eve = start("eve");
    eve.await("peer_joined", e -> joined(e, dave1));
    eve.await("peer_joined", e -> joined(e, dave2));

    eve.command("/send " + dave1.nickname + " which one");
    JsonNode error =
        eve.await("error", e -> e.path("reason").asText().equals("ambiguous_nickname"));
    assertThat(error.path("candidates").toString())
        .contains(dave1.nickname + "@" + dave1.address())
        .contains(dave2.nickname + "@" + dave2.address());

    // Two keys share the nickname: the one heard second needs /trust once.
    eve.command("/trust " + dave2.nickname + "@" + dave2.address());
    eve.await("trusted", e -> e.path("nickname").asText().equals(dave2.nickname));
    eve.command("/send " + dave2.nickname + "@" + dave2.address() + " you, two");
    dave2.await("message", e -> e.path("content").asText().equals("you, two"));
    assertThat(dave1.events()).noneMatch(e -> e.path("content").asText().equals("you, two"));
  }

  @Test
  void peersFindEachOtherOnTheProtocolsDefaultGroupAndPort() throws Exception {
    ParlanceProcess frank = ParlanceProcess.start("frank-" + suffix, 0);
    started.add(frank);
    ParlanceProcess grace = ParlanceProcess.start("grace-" + suffix, 0);
    started.add(grace);
    frank.await("peer_joined", e -> joined(e, grace));
    grace.await("peer_joined", e -> joined(e, frank));
  }

  @Test
  void usageErrorsExitWithTwoAndOneLine() throws Exception {
    ParlanceProcess.ProcessResult bad = ParlanceProcess.run("--no-such-flag");
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.err()).startsWith("parlance: Unknown option");

    ParlanceProcess.ProcessResult version = ParlanceProcess.run("--version");
    assertThat(version.exitCode()).isZero();
    assertThat(version.out()).startsWith("parlance ");

    ParlanceProcess.ProcessResult noInterface =
        ParlanceProcess.run("-n", "x", "--json", "--interface", "nosuch0", "--log-level", "off");
    assertThat(noInterface.exitCode()).isEqualTo(1);
    assertThat(noInterface.err().strip()).startsWith("parlance: no network interface named");
  }
}
