package io.parlance.client.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.parlance.client.store.MessageStore;
import io.parlance.client.testing.TestNodes;
import io.parlance.client.testing.TestNodes.Started;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Invitations to rooms between real nodes on loopback: kept on disk until accepted, so a restart of
 * either side loses none; forgotten once withdrawn or expired.
 */
class RoomInvitationsTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  private final TestNodes nodes = new TestNodes();

  @TempDir Path dir;

  @AfterEach
  void stop() {
    nodes.close();
  }

  private Started start(String nickname, String base) throws Exception {
    return nodes.start(nodes.options(nickname).dataDir(dir.resolve(base)).build());
  }

  private static List<String> texts(Started s, String room) throws Exception {
    return s.node().rooms().history(room, 1000).get(10, TimeUnit.SECONDS).stream()
        .map(MessageStore.RoomRow::text)
        .toList();
  }

  private static List<Rooms.Info> invitations(Started s) throws Exception {
    return s.node().rooms().list().get(10, TimeUnit.SECONDS).stream()
        .filter(i -> !i.member())
        .toList();
  }

  private static void invite(Started from, String room, Started to) {
    long before =
        to.events(NodeEvent.RoomActivity.class).stream()
            .filter(e -> e.kind().equals("invited") && e.room().equals(room))
            .count();
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
                        .filter(e -> e.kind().equals("invited") && e.room().equals(room))
                        .count()
                    > before);
  }

  @Test
  void aPendingInvitationSurvivesARestartOfBothSidesAndIsAcceptedAfter() throws Exception {
    String aliceName = nodes.nick("alice");
    String bobName = nodes.nick("bob");
    Started alice = start(aliceName, "alice");
    Started bob = start(bobName, "bob");
    await().atMost(WAIT).until(() -> alice.sees(bobName) && bob.sees(aliceName));
    String room = alice.node().rooms().create("lab").get(10, TimeUnit.SECONDS).id();
    alice.node().rooms().say(room, "before you came").get(10, TimeUnit.SECONDS);
    invite(alice, room, bob);
    assertThat(invitations(bob)).extracting(Rooms.Info::id).containsExactly(room);

    bob.node().stop();
    alice.node().stop();
    Started bobAgain = start(bobName, "bob");
    assertThat(invitations(bobAgain))
        .as("the invitation came back from the store")
        .extracting(Rooms.Info::id, Rooms.Info::name)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(room, "lab"));
    Started aliceAgain = start(aliceName, "alice");
    await().atMost(WAIT).until(() -> aliceAgain.sees(bobName) && bobAgain.sees(aliceName));

    Rooms.Info joined = bobAgain.node().rooms().join(room).get(10, TimeUnit.SECONDS);
    assertThat(joined.member()).isTrue();
    assertThat(joined.members()).isEqualTo(2);
    await().atMost(WAIT).until(() -> texts(bobAgain, room).contains("before you came"));
    bobAgain.node().rooms().say(room, "after both restarts").get(10, TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> texts(aliceAgain, room).contains("after both restarts"));
    assertThat(invitations(bobAgain)).isEmpty();

    // accepted: after another restart bob is a member, and holds no invitation
    bobAgain.node().stop();
    Started bobThird = start(bobName, "bob");
    assertThat(invitations(bobThird)).isEmpty();
    assertThat(bobThird.node().rooms().info(room).get(10, TimeUnit.SECONDS).member()).isTrue();

    // leaving forgets the room for good: it does not come back at the next start
    bobThird.node().rooms().leave(room).get(10, TimeUnit.SECONDS);
    bobThird.node().stop();
    Started bobFourth = start(bobName, "bob");
    assertThat(bobFourth.node().rooms().list().get(10, TimeUnit.SECONDS)).isEmpty();
    assertThat(bobFourth.node().rooms().history(room, 10))
        .failsWithin(10, TimeUnit.SECONDS)
        .withThrowableThat()
        .withMessageContaining("you are in no room");
  }

  @Test
  void aWithdrawnInvitationIsForgottenAndAnExpiredOneIsNotKept() throws Exception {
    String aliceName = nodes.nick("alice");
    String carolName = nodes.nick("carol");
    Started alice = start(aliceName, "alice");
    Started carol = start(carolName, "carol");
    await().atMost(WAIT).until(() -> alice.sees(carolName) && carol.sees(aliceName));
    String lab = alice.node().rooms().create("lab").get(10, TimeUnit.SECONDS).id();
    String old = alice.node().rooms().create("old").get(10, TimeUnit.SECONDS).id();
    invite(alice, lab, carol);
    invite(alice, old, carol);
    assertThat(invitations(carol)).extracting(Rooms.Info::id).containsExactly(lab, old);

    // alice takes carol out of lab before she accepts: the invitation is withdrawn
    alice.node().rooms().remove(lab, carolName).get(10, TimeUnit.SECONDS);
    await()
        .atMost(WAIT)
        .until(
            () ->
                carol.events(NodeEvent.RoomActivity.class).stream()
                    .anyMatch(e -> e.kind().equals("withdrawn") && e.room().equals(lab)));
    assertThat(invitations(carol)).extracting(Rooms.Info::id).containsExactly(old);
    assertThat(carol.node().rooms().join(lab))
        .failsWithin(10, TimeUnit.SECONDS)
        .withThrowableThat()
        .withMessageContaining("no invitation to '" + lab + "'");

    // the invitation to old ages past its lifetime while carol is away
    carol.node().stop();
    Path file = dir.resolve("carol").resolve(MessageStore.FILE);
    try (MessageStore store = MessageStore.open(file)) {
      List<MessageStore.RoomInvitation> kept = store.roomInvitations();
      assertThat(kept).extracting(MessageStore.RoomInvitation::room).containsExactly(old);
      MessageStore.RoomInvitation i = kept.get(0);
      long longAgo = System.currentTimeMillis() - Rooms.INVITATION_LIFETIME.toMillis() - 60_000;
      store.saveRoomInvitation(i.room(), "old", i.inviter(), i.nickname(), i.json(), longAgo);
    }
    Started carolAgain = start(carolName, "carol");
    assertThat(invitations(carolAgain)).as("neither the withdrawn nor the expired one").isEmpty();
    carolAgain.node().stop();
    try (MessageStore store = MessageStore.open(file)) {
      assertThat(store.roomInvitations()).as("both deleted from the store").isEmpty();
    }
  }
}
