package io.parlance.client.room;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parlance.client.security.Identity;
import io.parlance.protocol.room.Action;
import io.parlance.protocol.room.Change;
import io.parlance.protocol.room.Proposal;
import io.parlance.protocol.room.RoomLine;
import io.parlance.protocol.room.RoomMessage;
import io.parlance.protocol.room.RoomSigner;
import io.parlance.protocol.room.RoomState;
import io.parlance.protocol.room.Rules;
import io.parlance.protocol.room.Vote;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Membership, votes and what a room refuses from hostile members and outsiders. */
class RoomMembershipTest {

  private final RoomSigner alice = new IdentitySigner(Identity.generate());
  private final RoomSigner bob = new IdentitySigner(Identity.generate());
  private final RoomSigner carol = new IdentitySigner(Identity.generate());
  private final RoomSigner dave = new IdentitySigner(Identity.generate());
  private final RoomSigner mallory = new IdentitySigner(Identity.generate());

  private static Change invite(RoomSigner who, String nickname) {
    return new Change(Action.INVITE, who.id(), who.key(), nickname);
  }

  private static Change remove(RoomSigner who, String nickname) {
    return new Change(Action.REMOVE, who.id(), who.key(), nickname);
  }

  /** Alice's room with bob and carol, where removing a member takes two votes. */
  private Room[] voting() throws RoomException {
    Room a = Room.create("votes", new Rules(0, 2, 2), "alice", alice);
    a.change(invite(bob, "bob"));
    RoomState s = a.change(invite(carol, "carol"));
    a.change(invite(dave, "dave"));
    Room b = Room.join(a.state(), bob);
    Room c = Room.join(a.state(), carol);
    assertThat(s.version()).isEqualTo(3);
    return new Room[] {a, b, c};
  }

  @Test
  void aProposalPassesAtTheThresholdAndNotBefore() throws Exception {
    Room[] r = voting();
    Room b = r[1];
    Room c = r[2];
    Room.Voted first = b.propose(remove(dave, "dave"));
    assertThat(first.passed()).as("one vote of two").isNull();
    assertThat(b.state().isActive(dave.id())).isTrue();
    assertThat(c.offer(first.ballot())).isInstanceOf(Room.Outcome.Accepted.class);
    assertThat(c.pending()).hasSize(1);
    assertThat(c.pending().get(0).votes()).containsOnlyKeys(bob.id());

    Room.Voted second = c.vote(c.pending().get(0).proposal().digest().substring(0, 6));
    assertThat(second.passed()).as("two votes of two").isNotNull();
    assertThat(c.state().isActive(dave.id())).isFalse();
    assertThat(c.pending()).isEmpty();
    assertThat(c.passed()).hasSize(1);
    // every member verifies the new state, votes included
    assertThat(r[0].offerStates(List.of(second.passed())))
        .isInstanceOf(Room.Outcome.Accepted.class);
    assertThat(b.offerStates(List.of(second.passed()))).isInstanceOf(Room.Outcome.Accepted.class);
    assertThat(b.state().digest()).isEqualTo(c.state().digest());
  }

  @Test
  void aMemberAloneCannotMakeAChangeTheRulesPutToAVote() throws Exception {
    Room[] r = voting();
    assertThatThrownBy(() -> r[1].change(remove(dave, "dave")))
        .isInstanceOf(RoomException.class)
        .hasMessageContaining("/propose");
    // a state bob signs without the votes is refused by every member
    RoomState forged = r[1].state().next(remove(dave, "dave"), null, List.of(), 99, bob);
    assertThat(r[0].offerStates(List.of(forged)))
        .isEqualTo(new Room.Outcome.Refused("state version 5: remove needs 2 votes", false));
  }

  @Test
  void forgedVotesAreNotCounted() throws Exception {
    Room[] r = voting();
    Room b = r[1];
    Room c = r[2];
    Room.Voted first = b.propose(remove(dave, "dave"));
    Proposal p = first.ballot().proposal();
    // mallory is no member; her vote, and one claiming to be carol's, are refused
    Vote outsider = Vote.create(p, mallory);
    assertThat(c.offer(new RoomLine.Ballot(p, outsider))).isInstanceOf(Room.Outcome.Refused.class);
    Vote real = Vote.create(p, carol);
    Vote claimed =
        new Vote(real.room(), real.proposal(), carol.id(), Vote.create(p, mallory).sig());
    assertThat(b.offer(new RoomLine.Ballot(p, claimed))).isInstanceOf(Room.Outcome.Refused.class);
    // a state carrying bob's vote twice and a forged one does not pass
    RoomState forged =
        b.state()
            .next(
                remove(dave, "dave"),
                p,
                List.of(first.ballot().vote(), first.ballot().vote(), claimed),
                50,
                bob);
    assertThat(r[0].offerStates(List.of(forged)))
        .isEqualTo(
            new Room.Outcome.Refused("state version 5: remove needs 2 votes; it has 1", false));
    assertThat(r[0].state().isActive(dave.id())).isTrue();
  }

  @Test
  void messagesFromOutsidersForgedAuthorsAndReplaysAreRefused() throws Exception {
    Room a = Room.create("hostile", Rules.MODERATED, "alice", alice);
    a.change(invite(bob, "bob"));
    Room b = Room.join(a.state(), bob);
    RoomMessage hello = b.post("hello");
    assertThat(a.offer(hello)).isInstanceOf(Room.Outcome.Accepted.class);
    assertThat(a.offer(hello)).as("a replay").isInstanceOf(Room.Outcome.Duplicate.class);

    RoomMessage outsider = RoomMessage.create(a.id(), 1, 5, "let me in", mallory);
    assertThat(a.offer(outsider))
        .isEqualTo(new Room.Outcome.Refused("its author is not a member (of version 2)", true));

    RoomMessage signedByMallory = RoomMessage.create(a.id(), 2, 6, "I am bob", mallory);
    RoomMessage forged =
        new RoomMessage(
            a.id(), signedByMallory.id(), bob.id(), 2, 6, "I am bob", signedByMallory.sig());
    assertThat(a.offer(forged))
        .isEqualTo(new Room.Outcome.Refused("its signature is not its author's (forged)", false));

    RoomMessage tampered =
        new RoomMessage(
            a.id(),
            io.parlance.protocol.room.RoomIds.random(),
            bob.id(),
            1,
            hello.clock(),
            "hullo",
            hello.sig());
    assertThat(a.offer(tampered)).isInstanceOf(Room.Outcome.Refused.class);

    RoomMessage equivocation = RoomMessage.create(a.id(), 1, 9, "another first", bob);
    assertThat(a.offer(equivocation)).isInstanceOf(Room.Outcome.Refused.class);
    assertThat(a.log().messages()).containsExactly(hello);
  }

  @Test
  void anInvitationMustListTheInviteeAndBeSignedByAMember() throws Exception {
    Room a = Room.create("club", Rules.MODERATED, "alice", alice);
    assertThatThrownBy(() -> Room.join(a.state(), bob))
        .isInstanceOf(RoomException.class)
        .hasMessageContaining("does not list you");
    RoomState byMallory = RoomState.genesis(a.id(), "club", Rules.MODERATED, "alice", mallory);
    RoomState withBob = byMallory.next(invite(bob, "bob"), null, List.of(), 3, mallory);
    // mallory's room is its own, creator and all; offered as alice's next state it is refused
    assertThat(a.offerStates(List.of(withBob))).isInstanceOf(Room.Outcome.Refused.class);
  }

  @Test
  void aRemovedMemberCanNoLongerWriteAndIsNotARecipient() throws Exception {
    Room a = Room.create("club", Rules.MODERATED, "alice", alice);
    a.change(invite(bob, "bob"));
    Room b = Room.join(a.state(), bob);
    RoomState removal = a.change(remove(bob, "bob"));
    assertThat(a.recipients()).isEmpty();
    assertThat(b.offerStates(List.of(removal))).isInstanceOf(Room.Outcome.Accepted.class);
    assertThat(b.amMember()).isFalse();
    assertThatThrownBy(() -> b.post("hi")).hasMessageContaining("no longer a member");
    assertThat(a.answer(bob.id(), b.syncRequest())).as("no sync for the removed").isEmpty();
  }

  @Test
  void syncRepliesAreBoundedAndAMemberCatchesUpInSeveral() throws Exception {
    Room a = Room.create("big", Rules.MODERATED, "alice", alice);
    a.change(invite(bob, "bob"));
    Room b = Room.join(a.state(), bob);
    for (int i = 0; i < 1000; i++) {
      a.post("message " + i);
    }
    int rounds = 0;
    while (true) {
      var reply = a.answer(bob.id(), b.syncRequest());
      if (reply.isEmpty()) {
        break;
      }
      assertThat(reply.get().messages()).hasSizeLessThanOrEqualTo(256);
      b.apply(reply.get());
      rounds++;
    }
    assertThat(rounds).isEqualTo(4);
    assertThat(b.log().messages()).isEqualTo(a.log().messages());
  }
}
