package io.parlance.client.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.parlance.client.messaging.InboundSink.Outcome;
import io.parlance.client.room.IdentitySigner;
import io.parlance.client.room.RoomEnvelope;
import io.parlance.client.security.Identity;
import io.parlance.client.security.PeerId;
import io.parlance.client.testing.TestNodes;
import io.parlance.client.testing.TestNodes.Started;
import io.parlance.protocol.room.Action;
import io.parlance.protocol.room.Change;
import io.parlance.protocol.room.Proposal;
import io.parlance.protocol.room.RoomLine;
import io.parlance.protocol.room.RoomSigner;
import io.parlance.protocol.room.Rules;
import io.parlance.protocol.room.Vote;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Votes between real nodes on loopback (TLS, the durable outbox and acks, SQLite): in a room whose
 * rules put a removal to three members' votes, the proposal passes at the third vote and not
 * before, in every member; forged votes (from a non-member, or in a member's name with another key)
 * that reach a member's inbound path are refused and change nothing.
 */
class PeerNodeRoomVotesTest {

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
                    .anyMatch(e -> e.kind().equals("invited") && e.room().equals(room)));
  }

  private static Rooms.Info info(Started s, String room) throws Exception {
    return s.node().rooms().info(room).get(10, TimeUnit.SECONDS);
  }

  private static Optional<Rooms.ProposalInfo> proposal(Started s, String room, String digest)
      throws Exception {
    return s.node().rooms().proposals(room).get(10, TimeUnit.SECONDS).stream()
        .filter(p -> p.digest().equals(digest))
        .findFirst();
  }

  private static int votes(Started s, String room, String digest) throws Exception {
    return proposal(s, room, digest).filter(p -> !p.passed()).map(p -> p.votes()).orElse(-1);
  }

  /** A signer that claims another's id but signs with its own key. */
  private static RoomSigner impostor(String claimedId, Identity real) {
    return new RoomSigner() {
      @Override
      public String id() {
        return claimedId;
      }

      @Override
      public String key() {
        return real.encodedPublicKey();
      }

      @Override
      public byte[] sign(byte[] data) {
        return real.sign(data);
      }
    };
  }

  private static void inject(Started to, PeerId over, String nickname, RoomLine line)
      throws Exception {
    Outcome o =
        to.node()
            .rooms()
            .received(over, nickname, RoomEnvelope.wrap(line))
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    assertThat(o).as("a refused room line is still acknowledged").isEqualTo(Outcome.ACKNOWLEDGE);
  }

  @Test
  void aRemovalPassesAtTheThresholdAndNotBeforeAndForgedVotesAreRefused() throws Exception {
    Started alice = start("alice");
    Started bob = start("bob");
    Started carol = start("carol");
    Started dave = start("dave");
    List<Started> all = List.of(alice, bob, carol, dave);
    await()
        .atMost(WAIT)
        .until(
            () ->
                all.stream()
                    .allMatch(
                        a -> all.stream().allMatch(b -> a == b || a.sees(b.node().nickname()))));
    String room = alice.node().rooms().create("council", 3).get(10, TimeUnit.SECONDS).id();
    for (Started s : List.of(bob, carol, dave)) {
      invite(alice, room, s);
      s.node().rooms().join(room).get(10, TimeUnit.SECONDS);
    }
    await()
        .atMost(WAIT)
        .until(
            () -> {
              long v = info(alice, room).version();
              for (Started s : all) {
                Rooms.Info i = info(s, room);
                if (i.members() != 4 || i.version() != v) {
                  return false;
                }
              }
              return true;
            });
    long base = info(alice, room).version();

    // bob proposes removing dave: his own vote is the first of three
    Rooms.MemberInfo daveInRoom =
        bob.node().rooms().members(room).get(10, TimeUnit.SECONDS).stream()
            .filter(m -> m.id().equals(dave.node().identity().id().value()))
            .findFirst()
            .orElseThrow();
    List<Rooms.ProposalInfo> proposed =
        bob.node()
            .rooms()
            .propose(room, "remove", daveInRoom.nickname(), null)
            .get(10, TimeUnit.SECONDS);
    assertThat(proposed).hasSize(1);
    Rooms.ProposalInfo open = proposed.get(0);
    assertThat(open.passed()).isFalse();
    assertThat(open.votes()).isEqualTo(1);
    assertThat(open.needed()).isEqualTo(3);
    String digest = open.digest();
    await().atMost(WAIT).until(() -> all.stream().allMatch(s -> votesOf(s, room, digest) == 1));

    // carol votes: two of three, nothing changes anywhere
    List<Rooms.ProposalInfo> afterCarol =
        carol.node().rooms().vote(room, digest.substring(0, 8)).get(10, TimeUnit.SECONDS);
    assertThat(afterCarol).singleElement().satisfies(p -> assertThat(p.votes()).isEqualTo(2));
    await().atMost(WAIT).until(() -> all.stream().allMatch(s -> votesOf(s, room, digest) == 2));
    for (Started s : all) {
      assertThat(info(s, room).version()).as("no new state before the threshold").isEqualTo(base);
      assertThat(info(s, room).members()).isEqualTo(4);
      assertThat(info(s, room).member()).isTrue();
    }

    // forged votes reach alice's inbound path (as if over TLS links that proved these ids)
    Proposal p =
        Proposal.create(
            room,
            base,
            new Change(
                Action.REMOVE,
                daveInRoom.id(),
                dave.node().identity().encodedPublicKey(),
                daveInRoom.nickname()),
            new IdentitySigner(bob.node().identity()));
    assertThat(p.digest()).as("the same proposal as bob's").isEqualTo(digest);
    Identity eve = Identity.generate();
    RoomSigner eveSigner = new IdentitySigner(eve);
    // 1. from a non-member, over its own link
    inject(alice, eve.id(), "eve", new RoomLine.Ballot(p, Vote.create(p, eveSigner)));
    // 2. a non-member's vote relayed by a member
    inject(
        alice,
        bob.node().identity().id(),
        "bob",
        new RoomLine.Ballot(p, Vote.create(p, eveSigner)));
    // 3. a vote in dave's name signed with eve's key, relayed by a member and over "dave's" link
    Vote forgedDave = Vote.create(p, impostor(daveInRoom.id(), eve));
    inject(alice, bob.node().identity().id(), "bob", new RoomLine.Ballot(p, forgedDave));
    inject(alice, dave.node().identity().id(), "dave", new RoomLine.Ballot(p, forgedDave));
    // 4. a vote in alice's own name signed with eve's key
    inject(
        alice,
        carol.node().identity().id(),
        "carol",
        new RoomLine.Ballot(
            p, Vote.create(p, impostor(alice.node().identity().id().value(), eve))));
    await()
        .atMost(WAIT)
        .until(
            () ->
                alice.events(NodeEvent.RoomActivity.class).stream()
                        .filter(e -> e.kind().equals("refused"))
                        .count()
                    >= 5);
    assertThat(
            alice.events(NodeEvent.RoomActivity.class).stream()
                .filter(e -> e.kind().equals("refused"))
                .map(NodeEvent.RoomActivity::text))
        .anyMatch(t -> t.contains("not a member"))
        .anyMatch(t -> t.contains("forged"));
    assertThat(votesOf(alice, room, digest)).as("forged votes are not counted").isEqualTo(2);
    assertThat(info(alice, room).version()).isEqualTo(base);
    assertThat(info(alice, room).members()).isEqualTo(4);

    // alice's real vote is the third: it passes, in every member, and dave is out
    List<Rooms.ProposalInfo> afterAlice =
        alice.node().rooms().vote(room, digest).get(10, TimeUnit.SECONDS);
    assertThat(afterAlice).singleElement().satisfies(q -> assertThat(q.passed()).isTrue());
    for (Started s : List.of(alice, bob, carol)) {
      await()
          .atMost(WAIT)
          .until(() -> info(s, room).members() == 3 && info(s, room).version() == base + 1);
      assertThat(proposal(s, room, digest))
          .hasValueSatisfying(q -> assertThat(q.passed()).isTrue());
      assertThat(s.node().rooms().members(room).get(10, TimeUnit.SECONDS))
          .extracting(Rooms.MemberInfo::id)
          .doesNotContain(daveInRoom.id());
    }
    await()
        .atMost(WAIT)
        .until(
            () ->
                dave.events(NodeEvent.RoomActivity.class).stream()
                    .anyMatch(e -> e.text().contains("you were removed")));
    assertThat(info(dave, room).member()).isFalse();
  }

  @Test
  void anAdmissionPutToTwoVotesPassesAtTheSecondAndTheNewMemberJoins() throws Exception {
    Started alice = start("alice");
    Started bob = start("bob");
    Started carol = start("carol");
    Started erin = start("erin");
    List<Started> all = List.of(alice, bob, carol, erin);
    await()
        .atMost(WAIT)
        .until(
            () ->
                all.stream()
                    .allMatch(
                        a -> all.stream().allMatch(b -> a == b || a.sees(b.node().nickname()))));
    String room =
        alice.node().rooms().create("club", new Rules(2, 2, 2)).get(10, TimeUnit.SECONDS).id();
    for (Started s : List.of(bob, carol)) {
      invite(alice, room, s); // the creator may act alone
      s.node().rooms().join(room).get(10, TimeUnit.SECONDS);
    }
    List<Started> members = List.of(alice, bob, carol);
    await()
        .atMost(WAIT)
        .until(
            () -> {
              long v = info(alice, room).version();
              for (Started s : members) {
                Rooms.Info i = info(s, room);
                if (i.members() != 3 || i.version() != v) {
                  return false;
                }
              }
              return true;
            });
    long base = info(alice, room).version();

    // bob (a plain member) may not admit alone; he proposes erin: one vote of two
    String erinNick = erin.node().nickname();
    List<Rooms.ProposalInfo> proposed =
        bob.node()
            .rooms()
            .propose(room, "invite", erinNick, bob.node().resolve(erinNick))
            .get(10, TimeUnit.SECONDS);
    assertThat(proposed).singleElement().satisfies(p -> assertThat(p.passed()).isFalse());
    String digest = proposed.get(0).digest();
    assertThat(proposed.get(0).needed()).isEqualTo(2);
    await().atMost(WAIT).until(() -> members.stream().allMatch(s -> votesOf(s, room, digest) == 1));
    for (Started s : members) {
      assertThat(info(s, room).version()).as("not admitted before the threshold").isEqualTo(base);
      assertThat(info(s, room).members()).isEqualTo(3);
    }
    assertThat(erin.events(NodeEvent.RoomActivity.class))
        .as("no invitation before the threshold")
        .noneMatch(e -> e.kind().equals("invited"));

    // carol's vote is the second: it passes, erin is invited, joins, and every member lists her
    carol.node().rooms().vote(room, digest).get(10, TimeUnit.SECONDS);
    await()
        .atMost(WAIT)
        .until(
            () ->
                erin.events(NodeEvent.RoomActivity.class).stream()
                    .anyMatch(e -> e.kind().equals("invited") && e.room().equals(room)));
    erin.node().rooms().join(room).get(10, TimeUnit.SECONDS);
    for (Started s : all) {
      await()
          .atMost(WAIT)
          .until(() -> info(s, room).members() == 4 && info(s, room).version() == base + 1);
    }
    erin.node().rooms().say(room, "hello from erin").get(10, TimeUnit.SECONDS);
    for (Started s : members) {
      await()
          .atMost(WAIT)
          .until(
              () ->
                  s.node().rooms().history(room, 10).get(10, TimeUnit.SECONDS).stream()
                      .anyMatch(r -> r.text().equals("hello from erin")));
    }
  }

  private static int votesOf(Started s, String room, String digest) {
    try {
      return votes(s, room, digest);
    } catch (Exception e) {
      return -2;
    }
  }
}
