package io.parlance.protocol.room;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.parlance.protocol.ProtocolError;
import io.parlance.protocol.ProtocolException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One version of a room: its name, creator, members with their roles and rules, signed by the
 * member who made the change. Version 1 is signed by the creator; each later version names the
 * digest of the one before and the change it made, and is valid only if the previous version's
 * rules allowed its author that change (alone, or with the votes it carries).
 *
 * @param room the room id
 * @param name the room's name (a label)
 * @param version 1 for the room as created, one more per change
 * @param previous the digest of the previous version, or null for version 1
 * @param clock the Lamport clock of the change (a removed member's later messages are refused)
 * @param creator the creator's peer id
 * @param members every member, current and removed, sorted by id
 * @param rules who may change the membership
 * @param author the member who signed this version
 * @param change what changed from the previous version, or null for version 1
 * @param proposal the proposal voted on, when the change needed votes
 * @param votes the votes for {@code proposal}
 * @param sig the author's signature
 */
@JsonPropertyOrder({
  "room",
  "name",
  "version",
  "previous",
  "clock",
  "creator",
  "members",
  "rules",
  "author",
  "change",
  "proposal",
  "votes",
  "sig"
})
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RoomState(
    @JsonProperty(value = "room", required = true) String room,
    @JsonProperty(value = "name", required = true) String name,
    @JsonProperty(value = "version", required = true) long version,
    @JsonProperty("previous") String previous,
    @JsonProperty(value = "clock", required = true) long clock,
    @JsonProperty(value = "creator", required = true) String creator,
    @JsonProperty(value = "members", required = true) List<Member> members,
    @JsonProperty(value = "rules", required = true) Rules rules,
    @JsonProperty(value = "author", required = true) String author,
    @JsonProperty("change") Change change,
    @JsonProperty("proposal") Proposal proposal,
    @JsonProperty("votes") List<Vote> votes,
    @JsonProperty(value = "sig", required = true) String sig) {

  private static final Comparator<Member> BY_ID = Comparator.comparing(Member::id);

  /** Checks the bounds and the shape (signatures and authority: see {@link #problem}). */
  public RoomState {
    RoomIds.require(room);
    RoomLimits.text("name", name, RoomLimits.MAX_NAME);
    if (name.isBlank()) {
      throw new ProtocolException(ProtocolError.WRONG_FIELD_TYPE, "field 'name' is blank");
    }
    if (version < 1) {
      throw new ProtocolException(ProtocolError.WRONG_FIELD_TYPE, "field 'version' must be >= 1");
    }
    RoomLimits.optionalToken("previous", previous);
    RoomLimits.nonNegative("clock", clock);
    RoomLimits.token("creator", creator);
    members = RoomLimits.list("members", members, RoomLimits.MAX_MEMBERS);
    if (rules == null) {
      throw new ProtocolException(ProtocolError.MISSING_FIELD, "field 'rules' is missing");
    }
    RoomLimits.token("author", author);
    votes = RoomLimits.list("votes", votes, RoomLimits.MAX_VOTES);
    RoomLimits.token("sig", sig);
    if ((version == 1) != (previous == null) || (version == 1) != (change == null)) {
      throw new ProtocolException(
          ProtocolError.WRONG_FIELD_TYPE,
          "version 1 has no 'previous' and no 'change'; every later version has both");
    }
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < members.size(); i++) {
      if (!ids.add(members.get(i).id())
          || (i > 0 && BY_ID.compare(members.get(i - 1), members.get(i)) > 0)) {
        throw new ProtocolException(
            ProtocolError.WRONG_FIELD_TYPE, "field 'members' must be sorted by id, no repeats");
      }
    }
  }

  /**
   * Makes version 1 of a new room, with the signer as its creator and only member.
   *
   * @param room the new room's id
   * @param name its name
   * @param rules its rules
   * @param nickname the creator's nickname
   * @param signer the creator
   * @return the signed state
   */
  public static RoomState genesis(
      String room, String name, Rules rules, String nickname, RoomSigner signer) {
    List<Member> members =
        List.of(new Member(signer.id(), signer.key(), nickname, Role.CREATOR, 0));
    RoomState unsigned =
        new RoomState(
            room,
            name,
            1,
            null,
            0,
            signer.id(),
            members,
            rules,
            signer.id(),
            null,
            null,
            null,
            "-");
    return unsigned.signed(signer);
  }

  /**
   * Makes the next version: this state with a change applied, signed by the signer.
   *
   * @param change the change
   * @param proposal the proposal voted on, or null when the signer may act alone
   * @param votes the votes for it
   * @param atClock the Lamport clock of the change
   * @param signer the author
   * @return the signed state
   * @throws IllegalArgumentException if the change does not apply to this state
   */
  public RoomState next(
      Change change, Proposal proposal, List<Vote> votes, long atClock, RoomSigner signer) {
    List<Member> after =
        apply(change, atClock)
            .orElseThrow(
                () -> new IllegalArgumentException("the change does not apply: " + whyNot(change)));
    RoomState unsigned =
        new RoomState(
            room,
            name,
            version + 1,
            digest(),
            atClock,
            creator,
            after,
            rules,
            signer.id(),
            change,
            proposal,
            proposal == null ? null : votes,
            "-");
    return unsigned.signed(signer);
  }

  private RoomState signed(RoomSigner signer) {
    String s = Sigs.sign(signer, payload());
    return new RoomState(
        room,
        name,
        version,
        previous,
        clock,
        creator,
        members,
        rules,
        author,
        change,
        proposal,
        votes.isEmpty() ? null : votes,
        s);
  }

  /**
   * Returns the member with an id, current or removed.
   *
   * @param id the peer id
   * @return the member, or empty
   */
  public Optional<Member> member(String id) {
    for (Member m : members) {
      if (m.id().equals(id)) {
        return Optional.of(m);
      }
    }
    return Optional.empty();
  }

  /**
   * Returns whether a peer is a member now.
   *
   * @param id the peer id
   * @return true if it is listed and not removed
   */
  public boolean isActive(String id) {
    return member(id).map(m -> m.role().active()).orElse(false);
  }

  /**
   * Returns the current members.
   *
   * @return the members not removed
   */
  @JsonIgnore
  public List<Member> active() {
    return members.stream().filter(m -> m.role().active()).toList();
  }

  /**
   * Returns the digest that the next version names as its {@code previous}.
   *
   * @return URL-safe base64 of a SHA-256 over the signed fields
   */
  public String digest() {
    return Canonical.digest(payload());
  }

  /**
   * Tells what keeps this state from being a valid version 1: the creator's only-member room,
   * signed with the creator's key.
   *
   * @return what is wrong, or empty if it is valid
   */
  public Optional<String> problemAsGenesis() {
    if (version != 1) {
      return Optional.of("it is version " + version + ", not the room as created");
    }
    if (members.size() != 1
        || !members.get(0).id().equals(creator)
        || members.get(0).role() != Role.CREATOR
        || !author.equals(creator)) {
      return Optional.of("version 1 must list only its creator, who signs it");
    }
    return signatureProblem(members.get(0));
  }

  /**
   * Tells what keeps this state from being a valid successor of another: same room and creator, the
   * next version, naming it, its change applied exactly, allowed by its rules for the author, and
   * signed by the author.
   *
   * @param prev the state this one must follow
   * @return what is wrong, or empty if it is valid
   */
  public Optional<String> problem(RoomState prev) {
    Objects.requireNonNull(prev, "prev");
    if (!room.equals(prev.room) || !creator.equals(prev.creator)) {
      return Optional.of("it is for another room");
    }
    if (version != prev.version + 1 || !prev.digest().equals(previous)) {
      return Optional.of("it does not follow version " + prev.version);
    }
    if (!name.equals(prev.name) || !rules.equals(prev.rules)) {
      return Optional.of("it changes the name or the rules, which no version may");
    }
    Optional<List<Member>> expected = prev.apply(change, clock);
    if (expected.isEmpty()) {
      return Optional.of("its change does not apply: " + prev.whyNot(change));
    }
    if (!expected.get().equals(members)) {
      return Optional.of("its member list is not the previous one with its change");
    }
    Optional<Member> signer = prev.member(author).filter(m -> m.role().active());
    if (signer.isEmpty()) {
      return Optional.of("its author is not a member");
    }
    Optional<String> authority = prev.authorityProblem(signer.get(), change, proposal, votes);
    if (authority.isPresent()) {
      return authority;
    }
    return signatureProblem(signer.get());
  }

  /**
   * Tells whether a member may make a change in this state, alone or with these votes.
   *
   * @param by the member
   * @param change the change
   * @param proposal the proposal voted on, or null
   * @param votes the votes
   * @return what is missing, or empty if it is allowed
   */
  public Optional<String> authorityProblem(
      Member by, Change change, Proposal proposal, List<Vote> votes) {
    if (by.role() == Role.CREATOR) {
      return Optional.empty();
    }
    int threshold = rules.threshold(change.action());
    if (threshold == 0) {
      return by.role() == Role.MODERATOR
          ? Optional.empty()
          : Optional.of("only the creator or a moderator may " + change.action().wire());
    }
    if (proposal == null) {
      return Optional.of(change.action().wire() + " needs " + threshold + " votes");
    }
    Optional<String> p = proposalProblem(proposal);
    if (p.isPresent()) {
      return p;
    }
    if (!proposal.change().equals(change)) {
      return Optional.of("the votes are for another change");
    }
    int count = countVotes(proposal, votes);
    if (count < threshold) {
      return Optional.of(
          change.action().wire() + " needs " + threshold + " votes; it has " + count);
    }
    return Optional.empty();
  }

  /**
   * Tells whether a proposal is one this state can vote on: its room, its version, signed by a
   * member.
   *
   * @param p the proposal
   * @return what is wrong, or empty
   */
  public Optional<String> proposalProblem(Proposal p) {
    if (!p.room().equals(room) || p.base() != version) {
      return Optional.of("the proposal is for another room or version");
    }
    Optional<Member> proposer = member(p.proposer()).filter(m -> m.role().active());
    if (proposer.isEmpty() || !p.signedBy(proposer.get().key())) {
      return Optional.of("the proposal is not signed by a member");
    }
    if (apply(p.change(), 0).isEmpty()) {
      return Optional.of("the proposed change does not apply: " + whyNot(p.change()));
    }
    return Optional.empty();
  }

  /**
   * Counts the valid votes for a proposal: distinct current members, each signature checked.
   *
   * @param p the proposal
   * @param votes the votes
   * @return how many count
   */
  public int countVotes(Proposal p, List<Vote> votes) {
    String digest = p.digest();
    Set<String> voters = new HashSet<>();
    for (Vote v : votes) {
      if (!v.room().equals(room) || !v.proposal().equals(digest) || voters.contains(v.voter())) {
        continue;
      }
      Optional<Member> voter = member(v.voter()).filter(m -> m.role().active());
      if (voter.isPresent() && v.signedBy(voter.get().key())) {
        voters.add(v.voter());
      }
    }
    return voters.size();
  }

  private Optional<String> signatureProblem(Member signer) {
    if (!signer.id().equals(Sigs.idOf(signer.key()))) {
      return Optional.of("the signer's id is not the fingerprint of its key");
    }
    return Sigs.valid(signer.key(), payload(), sig)
        ? Optional.empty()
        : Optional.of("its signature is not valid");
  }

  /** Returns the member list after a change, or empty if the change does not apply. */
  Optional<List<Member>> apply(Change c, long atClock) {
    if (c == null || whyNot(c) != null) {
      return Optional.empty();
    }
    List<Member> out = new ArrayList<>(members.size() + 1);
    boolean found = false;
    for (Member m : members) {
      if (m.id().equals(c.target())) {
        found = true;
        out.add(
            switch (c.action()) {
              case INVITE -> new Member(c.target(), c.key(), c.nickname(), Role.MEMBER, 0);
              case REMOVE -> m.with(Role.REMOVED, atClock);
              case PROMOTE -> m.with(Role.MODERATOR, 0);
            });
      } else {
        out.add(m);
      }
    }
    if (!found) {
      if (members.size() >= RoomLimits.MAX_MEMBERS) {
        return Optional.empty();
      }
      out.add(new Member(c.target(), c.key(), c.nickname(), Role.MEMBER, 0));
      out.sort(BY_ID);
    }
    return Optional.of(List.copyOf(out));
  }

  /** Returns why a change does not apply to this state, or null if it does. */
  String whyNot(Change c) {
    if (c == null) {
      return "no change";
    }
    Optional<Member> target = member(c.target());
    switch (c.action()) {
      case INVITE -> {
        if (target.isPresent() && target.get().role().active()) {
          return "the peer is a member already";
        }
        if (target.isEmpty() && members.size() >= RoomLimits.MAX_MEMBERS) {
          return "the room is full (" + RoomLimits.MAX_MEMBERS + ")";
        }
        String keyId = Sigs.idOf(c.key());
        if (keyId == null) {
          return "the key is not an Ed25519 public key";
        }
        return keyId.equals(c.target()) ? null : "the id is not the fingerprint of the key";
      }
      case REMOVE -> {
        if (target.isEmpty() || !target.get().role().active()) {
          return "the peer is not a member";
        }
        return target.get().role() == Role.CREATOR ? "the creator cannot be removed" : null;
      }
      case PROMOTE -> {
        if (target.isEmpty() || !target.get().role().active()) {
          return "the peer is not a member";
        }
        return target.get().role() == Role.MEMBER ? null : "the peer is a moderator already";
      }
      default -> {
        return "unknown action";
      }
    }
  }

  private byte[] payload() {
    Canonical c =
        new Canonical("parlance-room-state-v1")
            .add(room)
            .add(name)
            .add(version)
            .addNullable(previous)
            .add(clock)
            .add(creator)
            .add(members.size());
    for (Member m : members) {
      m.addTo(c);
    }
    rules.addTo(c);
    c.add(author);
    c.add(change == null ? "-" : "+");
    if (change != null) {
      change.addTo(c);
    }
    c.addNullable(proposal == null ? null : proposal.digest());
    c.add(votes.size());
    for (Vote v : votes) {
      c.add(v.voter()).add(v.sig());
    }
    return c.bytes();
  }
}
