package io.parlance.client.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.parlance.client.delivery.Outgoing;
import io.parlance.client.security.TrustStore;
import io.parlance.client.store.DeliveryState;
import io.parlance.client.store.MessageStore;
import io.parlance.client.testing.TestNodes;
import io.parlance.client.testing.TestNodes.Started;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rooms between real nodes on loopback (TLS, the durable outbox and acks, SQLite): one order in
 * every member, a member that was away catches up once each, a removed member gets nothing new.
 */
class PeerNodeRoomsTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  private final TestNodes nodes = new TestNodes();

  @TempDir Path dir;

  @AfterEach
  void stop() {
    nodes.close();
  }

  private Started start(String name) throws Exception {
    return nodes.start(nodes.options(nodes.nick(name)).dataDir(dir.resolve(name)).build());
  }

  private static List<String> texts(Started s, String room) throws Exception {
    return s.node().rooms().history(room, 1000).get(10, TimeUnit.SECONDS).stream()
        .map(MessageStore.RoomRow::text)
        .toList();
  }

  private static void invite(Started from, String room, Started to) {
    await()
        .atMost(WAIT)
        .ignoreExceptions()
        .until(
            () -> {
              from.node()
                  .rooms()
                  .invite(room, from.node().resolve(to.node().nickname()))
                  .get(10, TimeUnit.SECONDS);
              return true;
            });
    await()
        .atMost(WAIT)
        .until(
            () ->
                to.events(NodeEvent.RoomActivity.class).stream()
                    .anyMatch(e -> e.kind().equals("invited")));
  }

  @Test
  void aRoomMemberThatIsAwayAndWasNeverWrittenToCanBeWrittenToByNickname() throws Exception {
    Started alice = start("alice");
    Started bob = start("bob");
    Started carol = start("carol");
    String bobName = bob.node().nickname();
    await()
        .atMost(WAIT)
        .until(
            () ->
                carol.sees(bobName) && carol.sees(alice.node().nickname()) && alice.sees(bobName));
    // carol makes the room and admits both: alice never writes to bob
    String room = carol.node().rooms().create("lab").get(10, TimeUnit.SECONDS).id();
    invite(carol, room, alice);
    alice.node().rooms().join(room).get(10, TimeUnit.SECONDS);
    invite(carol, room, bob);
    bob.node().rooms().join(room).get(10, TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> alice.node().rooms().info(room).get().members() == 3);
    bob.node().stop();
    carol.node().stop();
    alice.node().stop();
    // Alice starts again with no pin of bob's key (a new trust file), and bob is away: only the
    // room's membership knows who bob is.
    Files.delete(dir.resolve("alice").resolve(TrustStore.FILE));
    Started aliceAgain =
        nodes.start(nodes.options(alice.node().nickname()).dataDir(dir.resolve("alice")).build());

    Outgoing queued =
        aliceAgain.node().send(bobName, "hello bob, directly").get(10, TimeUnit.SECONDS);
    assertThat(queued.key()).isEqualTo(bob.node().identity().id().value());
    assertThat(queued.state()).isEqualTo(DeliveryState.QUEUED);

    Started bobAgain = nodes.start(nodes.options(bobName).dataDir(dir.resolve("bob")).build());
    await().atMost(WAIT).until(() -> bobAgain.received().contains("hello bob, directly"));
  }

  @Test
  void membersSeeEveryMessageInOneOrderAndAReturningMemberCatchesUp() throws Exception {
    Started alice = start("alice");
    Started bob = start("bob");
    Started carol = start("carol");
    await()
        .atMost(WAIT)
        .until(
            () ->
                alice.sees(bob.node().nickname())
                    && alice.sees(carol.node().nickname())
                    && bob.sees(carol.node().nickname()));
    String room = alice.node().rooms().create("lab").get(10, TimeUnit.SECONDS).id();
    invite(alice, room, bob);
    bob.node().rooms().join(room).get(10, TimeUnit.SECONDS);
    invite(alice, room, carol);
    carol.node().rooms().join(room).get(10, TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> bob.node().rooms().info(room).get().members() == 3);

    for (int i = 0; i < 20; i++) {
      alice.node().rooms().say(room, "a" + i);
      bob.node().rooms().say(room, "b" + i);
      carol.node().rooms().say(room, "c" + i);
    }
    await().atMost(WAIT).until(() -> texts(alice, room).size() == 60);
    await().atMost(WAIT).until(() -> texts(bob, room).size() == 60);
    await().atMost(WAIT).until(() -> texts(carol, room).size() == 60);
    List<String> order = texts(alice, room);
    assertThat(texts(bob, room)).isEqualTo(order);
    assertThat(texts(carol, room)).isEqualTo(order);
    assertThat(order.stream().filter(t -> t.startsWith("b")).toList())
        .as("bob's own messages keep their order")
        .isEqualTo(java.util.stream.IntStream.range(0, 20).mapToObj(i -> "b" + i).toList());

    // carol goes away; alice and bob talk on; carol comes back with her stored rooms
    carol.node().stop();
    for (int i = 0; i < 100; i++) {
      alice.node().rooms().say(room, "while away " + i);
    }
    await().atMost(WAIT).until(() -> texts(bob, room).size() == 160);
    Started carolAgain =
        nodes.start(nodes.options(carol.node().nickname()).dataDir(dir.resolve("carol")).build());
    await().atMost(WAIT).until(() -> texts(carolAgain, room).size() == 160);
    assertThat(texts(carolAgain, room)).isEqualTo(texts(alice, room)).doesNotHaveDuplicates();

    // alice removes bob: what she writes next does not reach him
    alice.node().rooms().remove(room, bob.node().nickname()).get(10, TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> carolAgain.node().rooms().info(room).get().members() == 2);
    alice.node().rooms().say(room, "bob is gone").get(10, TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> texts(carolAgain, room).contains("bob is gone"));
    await()
        .atMost(WAIT)
        .until(
            () ->
                bob.events(NodeEvent.RoomActivity.class).stream()
                    .anyMatch(e -> e.text().contains("you were removed")));
    assertThat(texts(bob, room)).doesNotContain("bob is gone");
    assertThat(bob.node().history(alice.node().nickname(), 100).get())
        .as("room lines are not one-to-one history")
        .isEmpty();
  }
}
