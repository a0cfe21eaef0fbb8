package io.parlance.client.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConfig;

/**
 * No message lost: real peers (the built jar, {@code --json}, discovery on {@code lo} only) with
 * their own profiles, killed with SIGKILL and restarted, while messages flow; then their stores are
 * read with {@code parlance history}.
 */
class DeliveryProcessesIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final String DB = "messages.db";

  @TempDir Path dir;

  private final int multicastPort = 40_000 + ThreadLocalRandom.current().nextInt(10_000);
  private final String suffix = Integer.toString(ThreadLocalRandom.current().nextInt(1000, 9999));
  private final List<ParlanceProcess> started = new ArrayList<>();

  @AfterEach
  void stopAll() {
    started.forEach(ParlanceProcess::close);
  }

  private String nick(String base) {
    return base + "-" + suffix;
  }

  private Path profile(String base) {
    return dir.resolve(base);
  }

  private ParlanceProcess start(String base) throws IOException {
    ParlanceProcess p =
        ParlanceProcess.start(
            nick(base),
            multicastPort,
            profile(base),
            "--announce-interval",
            "1",
            "--peer-timeout",
            "3");
    started.add(p);
    p.await("ready", e -> true, WAIT);
    return p;
  }

  private static void seeEachOther(ParlanceProcess a, ParlanceProcess b) {
    a.await("peer_joined", e -> e.path("nickname").asText().equals(b.nickname), WAIT);
    b.await("peer_joined", e -> e.path("nickname").asText().equals(a.nickname), WAIT);
  }

  /** Ends a process the way a user does: the end of stdin is /quit. */
  private static void quit(ParlanceProcess p) throws Exception {
    p.closeStdin();
    assertThat(p.process().waitFor(20, TimeUnit.SECONDS)).as(p.nickname + " quits").isTrue();
    assertThat(p.process().exitValue()).as(p.nickname + " exit code, " + p.stderr()).isZero();
  }

  private static long countDelivery(ParlanceProcess p, String state) {
    return p.events().stream()
        .filter(e -> e.path("event").asText().equals("delivery"))
        .filter(e -> e.path("state").asText().equals(state))
        .count();
  }

  private static List<String> received(ParlanceProcess p) {
    return p.events().stream()
        .filter(e -> e.path("event").asText().equals("message"))
        .map(e -> e.path("content").asText())
        .toList();
  }

  /** Reads a profile's conversation with the real {@code parlance history --json}. */
  private List<JsonNode> history(String base, String peer) throws Exception {
    ParlanceProcess.ProcessResult r =
        ParlanceProcess.run(
            "history", "--data-dir", profile(base).toString(), "--json", peer, "-n", "100000");
    assertThat(r.exitCode()).as(r.err()).isZero();
    List<JsonNode> messages = new ArrayList<>();
    for (String line : r.out().split("\n")) {
      if (!line.isBlank()) {
        messages.add(JSON.readTree(line));
      }
    }
    return messages;
  }

  /** Counts rows of a profile's store from outside, read-only, while its peer may be writing. */
  private long count(String base, String where) {
    Path db = profile(base).resolve(DB);
    if (!Files.exists(db)) {
      return 0;
    }
    SQLiteConfig config = new SQLiteConfig();
    config.setReadOnly(true);
    config.setBusyTimeout(5000);
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db, config.toProperties());
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM messages WHERE " + where)) {
      return rs.next() ? rs.getLong(1) : 0;
    } catch (SQLException e) {
      return -1; // e.g. a moment where the peer holds it exclusively; ask again
    }
  }

  @Test
  void tenThousandMessagesArriveExactlyOnceInOrderThoughTheReceiverIsKilledThreeTimes()
      throws Exception {
    int total = 10_000;
    long seed = System.nanoTime();
    Random random = new Random(seed);
    String why = "random seed " + seed;
    ParlanceProcess sender = start("alice");
    ParlanceProcess receiver = start("bob");
    seeEachOther(sender, receiver);
    String to = receiver.nickname;

    Thread feeder =
        new Thread(
            () -> {
              try {
                for (int i = 0; i < total; i++) {
                  sender.command(String.format("/send %s m-%05d", to, i));
                }
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            },
            "feeder");
    feeder.setDaemon(true);
    feeder.start();

    // Three kills at random points of the flow, one in each third, each as soon as the receiver
    // has stored that many.
    List<Integer> killAt = new ArrayList<>();
    int third = (total - 1000) / 3;
    for (int k = 0; k < 3; k++) {
      killAt.add(500 + k * third + random.nextInt(third));
    }
    List<String> kills = new ArrayList<>();
    for (int at : killAt) {
      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(20))
          .alias(why + ": the receiver stores " + at + " messages")
          .until(() -> count("bob", "direction = 'in'") >= at);
      long stored = count("bob", "direction = 'in'");
      receiver.process().destroyForcibly(); // SIGKILL: no goodbye, no clean close of the store
      assertThat(receiver.process().waitFor(10, TimeUnit.SECONDS)).isTrue();
      kills.add("killed at " + stored + " stored (aimed at " + at + ")");
      receiver = start("bob");
    }
    ParlanceProcess last = receiver;

    await()
        .atMost(Duration.ofSeconds(90))
        .alias(why + ", " + kills + ": all stored and acknowledged")
        .until(
            () ->
                count("bob", "direction = 'in'") >= total
                    && count("alice", "pending = 1") == 0
                    && count("alice", "state = 'delivered'") == total);
    quit(last);
    quit(sender);

    List<JsonNode> got = history("bob", sender.nickname);
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < total; i++) {
      expected.add(String.format("m-%05d", i));
    }
    assertThat(got).as(why).allMatch(m -> m.path("direction").asText().equals("in"));
    assertThat(got.stream().map(m -> m.path("content").asText()).toList())
        .as(why + ", " + kills)
        .containsExactlyElementsOf(expected);
    assertThat(new HashSet<>(got.stream().map(m -> m.path("id").asText()).toList())).hasSize(total);
    List<JsonNode> sent = history("alice", to);
    assertThat(sent).hasSize(total).allMatch(m -> m.path("state").asText().equals("delivered"));
    System.out.printf("%s, %s: all %d messages stored once, in order%n", why, kills, total);
  }

  @Test
  void messagesQueuedForAPeerAwaySurviveASenderRestartAndArriveWhenThePeerStarts()
      throws Exception {
    ParlanceProcess alice = start("alice");
    ParlanceProcess bob = start("bob");
    seeEachOther(alice, bob);
    alice.command("/send " + bob.nickname + " hello before");
    await().atMost(WAIT).until(() -> countDelivery(alice, "delivered") == 1);

    quit(bob);
    alice.await("peer_left", e -> e.path("nickname").asText().equals(bob.nickname), WAIT);
    for (int i = 1; i <= 5; i++) {
      alice.command("/send " + bob.nickname + " queued " + i);
    }
    await().atMost(WAIT).until(() -> countDelivery(alice, "queued") == 6);
    assertThat(alice.events()).noneMatch(e -> e.path("event").asText().equals("error"));
    quit(alice);
    assertThat(count("alice", "pending = 1")).isEqualTo(5);

    ParlanceProcess alice2 = start("alice"); // first, alone: the outbox waits on disk
    ParlanceProcess bob2 = start("bob");
    await()
        .atMost(WAIT)
        .alias("bob gets the queued messages: " + bob2.events())
        .until(() -> received(bob2).size() == 5);
    await().atMost(WAIT).until(() -> countDelivery(alice2, "delivered") == 5);

    assertThat(received(bob2))
        .containsExactly("queued 1", "queued 2", "queued 3", "queued 4", "queued 5");
    assertThat(count("alice", "pending = 1")).isZero();
  }

  @Test
  void historyIsIntactAfterBothPeersRestart() throws Exception {
    ParlanceProcess alice = start("alice");
    ParlanceProcess bob = start("bob");
    seeEachOther(alice, bob);
    alice.command("/send " + bob.nickname + " a1");
    bob.await("message", e -> e.path("content").asText().equals("a1"), WAIT);
    bob.command("/send " + alice.nickname + " b1");
    alice.await("message", e -> e.path("content").asText().equals("b1"), WAIT);
    alice.command("/send " + bob.nickname + " a2, with the word zebra");
    await().atMost(WAIT).until(() -> countDelivery(alice, "delivered") == 2);
    await().atMost(WAIT).until(() -> countDelivery(bob, "delivered") == 1);
    quit(alice);
    quit(bob);

    ParlanceProcess alice2 = start("alice");
    ParlanceProcess bob2 = start("bob");
    seeEachOther(alice2, bob2);
    alice2.command("/history " + bob.nickname + " 10");
    JsonNode h = alice2.await("history", e -> true, WAIT);
    assertThat(h.path("messages").findValuesAsText("content"))
        .containsExactly("a1", "b1", "a2, with the word zebra");
    assertThat(h.path("messages").findValuesAsText("state"))
        .containsExactly("delivered", "received", "delivered");
    bob2.command("/search zebra");
    JsonNode found = bob2.await("search", e -> true, WAIT);
    assertThat(found.path("messages").findValuesAsText("content"))
        .containsExactly("a2, with the word zebra");
    bob2.command("/send " + alice.nickname + " b2 after the restart");
    alice2.await("message", e -> e.path("content").asText().equals("b2 after the restart"), WAIT);
    await().atMost(WAIT).until(() -> countDelivery(bob2, "delivered") == 1);
    quit(alice2);
    quit(bob2);

    assertThat(history("bob", alice.nickname))
        .extracting(m -> m.path("direction").asText() + " " + m.path("content").asText())
        .containsExactly(
            "in a1", "out b1", "in a2, with the word zebra", "out b2 after the restart");
  }

  @Test
  void aCorruptStoreStopsThePeerWithAClearReasonAndIsKept() throws Exception {
    Path broken = Files.createDirectories(profile("broken"));
    byte[] garbage = "this is someone's outbox, not a database".repeat(100).getBytes();
    Files.write(broken.resolve(DB), garbage);

    ParlanceProcess.ProcessResult r = runPeer(broken);

    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(lastLine(r.err()))
        .startsWith("parlance: the history database " + broken.resolve(DB))
        .contains("is corrupt")
        .contains("move it aside");
    assertThat(Files.readAllBytes(broken.resolve(DB))).isEqualTo(garbage);
  }

  @Test
  void aStoreLockedByAnotherProgramStopsThePeerWithAClearReason() throws Exception {
    Path held = Files.createDirectories(profile("held"));
    assertThat(runPeer(held).exitCode()).as("a first run makes the store").isZero();
    try (Connection other = DriverManager.getConnection("jdbc:sqlite:" + held.resolve(DB));
        Statement s = other.createStatement()) {
      s.execute("BEGIN IMMEDIATE");
      s.execute(
          "INSERT INTO messages (id, direction, peer, nickname, content, timestamp, state,"
              + " created_ms, updated_ms) VALUES ('x', 'in', 'p', 'p', 'held', 1, 'received', 1, 1)");

      ParlanceProcess.ProcessResult r = runPeer(held);

      assertThat(r.exitCode()).isEqualTo(1);
      assertThat(lastLine(r.err()))
          .startsWith("parlance: the history database " + held.resolve(DB))
          .contains("is locked by another program");
      s.execute("ROLLBACK");
    }
  }

  private static String lastLine(String text) {
    List<String> lines = text.strip().lines().toList();
    return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
  }

  /** Runs a peer on a profile with stdin closed: it starts and quits at once, or fails. */
  private ParlanceProcess.ProcessResult runPeer(Path profile) throws Exception {
    return ParlanceProcess.run(
        "--json",
        "--interface",
        "lo",
        "--nickname",
        nick("solo"),
        "--multicast-port",
        Integer.toString(multicastPort),
        "--data-dir",
        profile.toString());
  }
}
