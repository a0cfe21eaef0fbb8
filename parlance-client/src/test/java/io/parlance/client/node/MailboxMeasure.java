package io.parlance.client.node;

import static org.awaitility.Awaitility.await;

import io.parlance.bootstrap.BootstrapServer;
import io.parlance.bootstrap.BootstrapServerConfig;
import io.parlance.bootstrap.mailbox.MailboxConfig;
import io.parlance.bootstrap.mailbox.SqliteMailbox;
import io.parlance.client.testing.TestNodes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Measures the mailbox for docs/PERFORMANCE.md (not a test: it prints numbers and asserts none).
 * Run: {@code mvn -pl parlance-client -am verify -DskipITs -Dtest=MailboxMeasure
 * -Dsurefire.failIfNoSpecifiedTests=false -Dparlance.measure=true}.
 */
@EnabledIfSystemProperty(named = "parlance.measure", matches = "true")
class MailboxMeasure {

  private static final int COUNT = Integer.getInteger("parlance.measure.count", 1000);

  @TempDir Path dir;

  @Test
  void depositAndFetchAThousandMessages() throws Exception {
    Path file = dir.resolve("server/mailbox.db");
    BootstrapServer server =
        BootstrapServer.start(
            BootstrapServerConfig.builder()
                .host("127.0.0.1")
                .port(0)
                .frameRate(10_000, 10_000)
                .mailbox(
                    MailboxConfig.defaults(() -> SqliteMailbox.open(file))
                        .withQuota(10_000, 1L << 30)
                        .withSenderRate(10_000, 10_000))
                .build());
    try (TestNodes nodes = new TestNodes()) {
      String alice = nodes.nick("alice");
      String bob = nodes.nick("bob");
      TestNodes.Started a = start(nodes, server, alice, dir.resolve("alice"));
      TestNodes.Started b = start(nodes, server, bob, dir.resolve("bob"));
      await().atMost(Duration.ofSeconds(30)).until(() -> a.sees(bob) && b.sees(alice));
      a.node().send(bob, "hello").get();
      await().atMost(Duration.ofSeconds(30)).until(() -> b.received().contains("hello"));
      await().until(() -> server.mailbox().stats().keys() == 2);
      b.node().stop();
      await().atMost(Duration.ofSeconds(30)).until(() -> !a.sees(bob));

      String text = "a message of about a hundred characters, as people write them in a chat, #";
      long t0 = System.nanoTime();
      for (int i = 0; i < COUNT; i++) {
        a.node().send(bob, text + i).get();
      }
      await()
          .atMost(Duration.ofMinutes(5))
          .pollInterval(Duration.ofMillis(20))
          .until(() -> server.mailbox().stats().messages() == COUNT);
      double depositSecs = (System.nanoTime() - t0) / 1e9;
      long bytes = server.mailbox().stats().bytes();
      a.node().stop();

      long t1 = System.nanoTime();
      TestNodes.Started b2 = start(nodes, server, bob, dir.resolve("bob"));
      await()
          .atMost(Duration.ofMinutes(5))
          .pollInterval(Duration.ofMillis(20))
          .until(() -> b2.received().size() == COUNT);
      double fetchSecs = (System.nanoTime() - t1) / 1e9;
      await().atMost(Duration.ofMinutes(1)).until(() -> server.mailbox().stats().messages() == 0);
      long fileBytes;
      try (Stream<Path> s = Files.list(file.getParent())) {
        fileBytes = s.mapToLong(p -> p.toFile().length()).sum();
      }
      System.out.printf(
          "MAILBOX %d deposits in %.2f s = %.0f/s (send to stored on the server); sealed %d B per"
              + " message (text %d B); bob start to %d shown: %.2f s; server files after: %d B%n",
          COUNT,
          depositSecs,
          COUNT / depositSecs,
          bytes / COUNT,
          text.length() + 3,
          COUNT,
          fetchSecs,
          fileBytes);
    } finally {
      server.stop();
    }
  }

  /**
   * A room member misses {@code COUNT} room messages; it catches up once through the mailbox (the
   * author offline by then) and once directly from the author (both online), in one run, so the two
   * are side by side.
   */
  @Test
  void aRoomMemberCatchesUpThroughTheMailboxAndBySync() throws Exception {
    Path file = dir.resolve("server/mailbox.db");
    BootstrapServer server =
        BootstrapServer.start(
            BootstrapServerConfig.builder()
                .host("127.0.0.1")
                .port(0)
                .frameRate(10_000, 10_000)
                .mailbox(
                    MailboxConfig.defaults(() -> SqliteMailbox.open(file))
                        .withQuota(10_000, 1L << 30)
                        .withSenderRate(10_000, 10_000))
                .build());
    try (TestNodes nodes = new TestNodes()) {
      String alice = nodes.nick("alice");
      String bob = nodes.nick("bob");
      TestNodes.Started a = start(nodes, server, alice, dir.resolve("alice"));
      TestNodes.Started b = start(nodes, server, bob, dir.resolve("bob"));
      await().atMost(Duration.ofSeconds(30)).until(() -> a.sees(bob) && b.sees(alice));
      await().until(() -> server.mailbox().stats().keys() == 2);
      String room = a.node().rooms().create("measure").get().id();
      a.node().rooms().invite(room, a.node().resolve(bob)).get();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  b.events(NodeEvent.RoomActivity.class).stream()
                      .anyMatch(e -> e.kind().equals("invited")));
      b.node().rooms().join(room).get();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> a.node().rooms().info(room).get().members() == 2);
      String text = "a message of about a hundred characters, as people write them in a chat, #";

      // 1. through the mailbox: bob away, then alice away, then bob back
      b.node().stop();
      await().atMost(Duration.ofSeconds(30)).until(() -> !a.sees(bob));
      long t0 = System.nanoTime();
      for (int i = 0; i < COUNT; i++) {
        a.node().rooms().say(room, text + i).get();
      }
      await()
          .atMost(Duration.ofMinutes(5))
          .pollInterval(Duration.ofMillis(20))
          .until(() -> server.mailbox().stats().messages() >= COUNT);
      double depositSecs = (System.nanoTime() - t0) / 1e9;
      long bytes = server.mailbox().stats().bytes();
      a.node().stop();
      long t1 = System.nanoTime();
      TestNodes.Started b2 = start(nodes, server, bob, dir.resolve("bob"));
      await()
          .atMost(Duration.ofMinutes(5))
          .pollInterval(Duration.ofMillis(20))
          .until(() -> b2.node().rooms().history(room, 1000).get().size() >= Math.min(1000, COUNT));
      double mailSecs = (System.nanoTime() - t1) / 1e9;

      // 2. directly: bob away, alice writes, bob back (with no mailbox) while alice is online, so
      // alice's outbox sends again what waits for him and his room_sync asks for what he lacks
      b2.node().stop();
      TestNodes.Started a2 = start(nodes, server, alice, dir.resolve("alice"));
      for (int i = 0; i < COUNT; i++) {
        a2.node().rooms().say(room, "second " + text + i).get();
      }
      await()
          .atMost(Duration.ofMinutes(5))
          .until(
              () ->
                  a2.node()
                      .rooms()
                      .history(room, 1)
                      .get()
                      .get(0)
                      .text()
                      .endsWith("#" + (COUNT - 1)));
      long t2 = System.nanoTime();
      TestNodes.Started b3 =
          nodes.start(
              nodes
                  .options(bob)
                  .bindHost("127.0.0.1")
                  .lanDiscovery(false)
                  .mailbox(false)
                  .bootstrapServer("ws://127.0.0.1:" + server.port())
                  .dataDir(dir.resolve("bob"))
                  .build());
      String last = "second " + text + (COUNT - 1);
      await()
          .atMost(Duration.ofMinutes(5))
          .pollInterval(Duration.ofMillis(20))
          .until(
              () ->
                  b3.node().rooms().history(room, 1).get().stream()
                      .anyMatch(r -> r.text().equals(last)));
      double syncSecs = (System.nanoTime() - t2) / 1e9;
      System.out.printf(
          "ROOM-MAILBOX %d room messages for an offline member deposited in %.2f s = %.0f/s;"
              + " sealed %d B per room message (text %d B); member start to all %d stored, from"
              + " the mailbox (author offline): %.2f s; directly from the author online (outbox"
              + " and room_sync): %.2f s%n",
          COUNT,
          depositSecs,
          COUNT / depositSecs,
          bytes / COUNT,
          text.length() + 3,
          COUNT,
          mailSecs,
          syncSecs);
    } finally {
      server.stop();
    }
  }

  private static TestNodes.Started start(
      TestNodes nodes, BootstrapServer server, String nick, Path data) throws Exception {
    return nodes.start(
        nodes
            .options(nick)
            .bindHost("127.0.0.1")
            .lanDiscovery(false)
            .bootstrapServer("ws://127.0.0.1:" + server.port())
            .dataDir(data)
            .build());
  }
}
