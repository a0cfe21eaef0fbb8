package io.parlance.client.room;

import io.parlance.protocol.room.Change;
import io.parlance.protocol.room.Member;
import io.parlance.protocol.room.Proposal;
import io.parlance.protocol.room.RoomLimits;
import io.parlance.protocol.room.RoomLine;
import io.parlance.protocol.room.RoomMessage;
import io.parlance.protocol.room.RoomSigner;
import io.parlance.protocol.room.RoomState;
import io.parlance.protocol.room.Rules;
import io.parlance.protocol.room.Vote;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One room as one member holds it: the highest valid state version, the ordered log, pending
 * proposals, and the Lamport clock. Everything offered from the network is verified here; what this
 * member makes is signed here. Pure logic and not thread-safe: one thread owns a room.
 */
public final class Room {

  /** Most state versions kept for answering sync (older ones are not needed to verify). */
  static final int KEPT_STATES = 64;

  /** Most pending proposals held per room. */
  static final int MAX_PENDING = 32;

  private final RoomSigner me;
  private final TreeMap<Long, RoomState> states = new TreeMap<>();
  private final RoomLog log = new RoomLog();
  private final Map<String, Pending> pending = new LinkedHashMap<>();
  private final List<Passed> passed = new ArrayList<>();
  private final List<RoomMessage> retracted = new ArrayList<>();
  private long clock;

  /**
   * A proposal and the votes for it so far.
   *
   * @param proposal the proposal
   * @param votes the valid votes, by voter
   */
  public record Pending(Proposal proposal, Map<String, Vote> votes) {}

  /**
   * A proposal that passed.
   *
   * @param proposal the proposal
   * @param version the state version that made the change
   */
  public record Passed(Proposal proposal, long version) {}

  /** What became of a line offered to the room. */
  public sealed interface Outcome {
    /** Accepted and new. */
    record Accepted() implements Outcome {}

    /** Held already. */
    record Duplicate() implements Outcome {}

    /**
     * Refused.
     *
     * @param reason why, in words for a log line
     * @param needsSync whether a sync with the sender could fix it (we may be behind)
     */
    record Refused(String reason, boolean needsSync) implements Outcome {}
  }

  private static final Outcome ACCEPTED = new Outcome.Accepted();
  private static final Outcome DUPLICATE = new Outcome.Duplicate();

  private Room(RoomState state, RoomSigner me) {
    this.me = Objects.requireNonNull(me, "me");
    states.put(state.version(), state);
    clock = state.clock();
  }

  /**
   * Creates a new room with this member as its creator.
   *
   * @param name the name
   * @param rules the rules
   * @param nickname the creator's nickname
   * @param me the creator
   * @return the room
   */
  public static Room create(String name, Rules rules, String nickname, RoomSigner me) {
    return new Room(
        RoomState.genesis(io.parlance.protocol.room.RoomIds.random(), name, rules, nickname, me),
        me);
  }

  /**
   * Joins a room from the state an invitation carried, or restores one from a stored state.
   *
   * @param state a signed state that lists this member
   * @param me this member
   * @return the room
   * @throws RoomException if the state is not signed by a member of it or does not list us
   */
  public static Room join(RoomState state, RoomSigner me) throws RoomException {
    Optional<String> problem = trustOnInvitation(state);
    if (problem.isPresent()) {
      throw new RoomException("the invitation is not valid: " + problem.get());
    }
    if (!state.isActive(me.id())) {
      throw new RoomException("the invitation does not list you as a member");
    }
    return new Room(state, me);
  }

  /**
   * Restores a room from stored states and messages, without checking again what was checked when
   * it was stored.
   *
   * @param stored the stored versions, any order
   * @param messages the stored messages
   * @param me this member
   * @return the room
   */
  public static Room restore(List<RoomState> stored, List<RoomMessage> messages, RoomSigner me) {
    if (stored.isEmpty()) {
      throw new IllegalArgumentException("no state to restore");
    }
    List<RoomState> sorted = new ArrayList<>(stored);
    sorted.sort(java.util.Comparator.comparingLong(RoomState::version));
    Room room = new Room(sorted.get(0), me);
    for (RoomState s : sorted) {
      room.states.put(s.version(), s);
      room.clock = Math.max(room.clock, s.clock());
    }
    room.trimStates();
    for (RoomMessage m : messages) {
      room.log.add(m);
      room.clock = Math.max(room.clock, m.clock());
    }
    return room;
  }

  /**
   * Tells whether a state can be trusted as an invitation: version 1 checked in full; a later one
   * signed by a member of it with the key the state lists (the chain before it is not available to
   * an invitee, which trusts the inviter it accepted for it).
   */
  static Optional<String> trustOnInvitation(RoomState state) {
    if (state.version() == 1) {
      return state.problemAsGenesis();
    }
    Optional<Member> author = state.member(state.author());
    if (author.isEmpty() || !author.get().role().active()) {
      return Optional.of("its author is not a member of it");
    }
    if (state.member(state.creator()).isEmpty()) {
      return Optional.of("it does not list its creator");
    }
    return Optional.empty();
  }

  /**
   * Returns the room id.
   *
   * @return the id
   */
  public String id() {
    return state().room();
  }

  /**
   * Returns the highest valid state held.
   *
   * @return the state
   */
  public RoomState state() {
    return states.lastEntry().getValue();
  }

  /**
   * Returns the state versions held, oldest first.
   *
   * @return a copy
   */
  public List<RoomState> states() {
    return List.copyOf(states.values());
  }

  /**
   * Returns this member's signer.
   *
   * @return the signer
   */
  public RoomSigner me() {
    return me;
  }

  /**
   * Returns the log.
   *
   * @return the log (owned by this room; read it on the room's thread)
   */
  public RoomLog log() {
    return log;
  }

  /**
   * Returns the Lamport clock.
   *
   * @return the highest clock seen
   */
  public long clock() {
    return clock;
  }

  /**
   * Returns whether this member is still in the room.
   *
   * @return false once removed
   */
  public boolean amMember() {
    return state().isActive(me.id());
  }

  /**
   * Returns the members a new line goes to: every current member but us.
   *
   * @return the members
   */
  public List<Member> recipients() {
    return state().active().stream().filter(m -> !m.id().equals(me.id())).toList();
  }

  /**
   * Writes a message.
   *
   * @param text the text
   * @return the signed message, already in the log
   * @throws RoomException if we are not a member or the text is too long
   */
  public RoomMessage post(String text) throws RoomException {
    if (!amMember()) {
      throw new RoomException("you are no longer a member of room '" + state().name() + "'");
    }
    if (text.length() > RoomLimits.MAX_TEXT) {
      throw new RoomException(
          "the message is too long for a room: the limit is "
              + RoomLimits.MAX_TEXT
              + " characters");
    }
    RoomMessage m = RoomMessage.create(id(), log.lastSeq(me.id()) + 1, clock + 1, text, me);
    log.add(m);
    clock = m.clock();
    return m;
  }

  /**
   * Offers a message from the network: verified against the current state, then added.
   *
   * @param m the message
   * @return what became of it
   */
  public Outcome offer(RoomMessage m) {
    if (!m.room().equals(id())) {
      return new Outcome.Refused("it is for another room", false);
    }
    if (log.contains(m.id())) {
      return DUPLICATE;
    }
    Optional<Member> author = state().member(m.author());
    if (author.isEmpty()) {
      return new Outcome.Refused("its author is not a member (of version " + version() + ")", true);
    }
    if (!author.get().role().active() && m.clock() > author.get().until()) {
      return new Outcome.Refused("its author was removed before writing it", false);
    }
    if (!m.signedBy(author.get().key())) {
      return new Outcome.Refused("its signature is not its author's (forged)", false);
    }
    return switch (log.add(m)) {
      case NEW -> {
        clock = Math.max(clock, m.clock());
        yield ACCEPTED;
      }
      case DUPLICATE -> DUPLICATE;
      case CONFLICT ->
          new Outcome.Refused(
              "its author sent another message as number "
                  + m.seq()
                  + " (a replay or equivocation)",
              false);
    };
  }

  /**
   * Offers state versions from the network, oldest first: each must follow the one before; at the
   * current version a different valid state replaces ours if its digest is lower, so concurrent
   * changes settle on one in every member.
   *
   * @param offered the versions
   * @return accepted if at least one was applied, duplicate if none was new, else why not
   */
  public Outcome offerStates(List<RoomState> offered) {
    boolean applied = false;
    Outcome.Refused refused = null;
    List<RoomState> sorted = new ArrayList<>(offered);
    sorted.sort(java.util.Comparator.comparingLong(RoomState::version));
    for (RoomState s : sorted) {
      if (!s.room().equals(id())) {
        return new Outcome.Refused("a state is for another room", false);
      }
      RoomState tip = state();
      if (s.version() == tip.version() + 1) {
        Optional<String> problem = s.problem(tip);
        if (problem.isPresent()) {
          refused =
              new Outcome.Refused("state version " + s.version() + ": " + problem.get(), false);
          break;
        }
        accept(s);
        applied = true;
      } else if (s.version() == tip.version() && !s.digest().equals(tip.digest())) {
        RoomState before = states.get(tip.version() - 1);
        if (before != null
            && s.problem(before).isEmpty()
            && s.digest().compareTo(tip.digest()) < 0) {
          states.remove(tip.version());
          accept(s);
          applied = true;
        }
      } else if (s.version() > tip.version() + 1) {
        refused = new Outcome.Refused("state version " + s.version() + " skips versions", true);
        break;
      }
    }
    if (applied) {
      return ACCEPTED;
    }
    return refused != null ? refused : DUPLICATE;
  }

  private void accept(RoomState s) {
    states.put(s.version(), s);
    clock = Math.max(clock, s.clock());
    pending.values().removeIf(p -> p.proposal().base() < s.version());
    if (s.change() != null && s.change().action() == io.parlance.protocol.room.Action.REMOVE) {
      // What the removed member wrote after its removal is refused by every member that knows of
      // it; a member that took some before it knew gives them up, so all logs stay the same.
      retracted.addAll(log.retract(s.change().target(), s.clock()));
    }
    if (s.proposal() != null) {
      passed.add(new Passed(s.proposal(), s.version()));
      if (passed.size() > MAX_PENDING) {
        passed.remove(0);
      }
    }
    trimStates();
  }

  private void trimStates() {
    while (states.size() > KEPT_STATES) {
      states.pollFirstEntry();
    }
  }

  /**
   * Makes a change this member may make alone (the creator always; a moderator where the rules need
   * no vote).
   *
   * @param change the change
   * @return the new state, already applied
   * @throws RoomException if we may not, or the change does not apply
   */
  public RoomState change(Change change) throws RoomException {
    RoomState tip = state();
    Member self =
        tip.member(me.id())
            .filter(m -> m.role().active())
            .orElseThrow(
                () -> new RoomException("you are no longer a member of room '" + tip.name() + "'"));
    Optional<String> no = tip.authorityProblem(self, change, null, List.of());
    if (no.isPresent()) {
      throw new RoomException(no.get() + "; propose it with /propose and let members /vote");
    }
    return applyOwn(change, null, List.of());
  }

  private RoomState applyOwn(Change change, Proposal proposal, List<Vote> votes)
      throws RoomException {
    RoomState next;
    try {
      next = state().next(change, proposal, votes, clock + 1, me);
    } catch (IllegalArgumentException e) {
      throw new RoomException(e.getMessage());
    }
    accept(next);
    return next;
  }

  /**
   * Puts a change to the vote, with our own vote for it.
   *
   * @param change the change
   * @return the proposal and our vote, as a line for the members; and the new state if our vote
   *     alone reached the threshold
   * @throws RoomException if the change does not apply or too many proposals are pending
   */
  public Voted propose(Change change) throws RoomException {
    RoomState tip = state();
    if (!amMember()) {
      throw new RoomException("you are no longer a member of room '" + tip.name() + "'");
    }
    if (pending.size() >= MAX_PENDING) {
      throw new RoomException("room '" + tip.name() + "' has too many open proposals");
    }
    Proposal p = Proposal.create(tip.room(), tip.version(), change, me);
    Optional<String> problem = tip.proposalProblem(p);
    if (problem.isPresent()) {
      throw new RoomException(problem.get());
    }
    pending.put(p.digest(), new Pending(p, new LinkedHashMap<>()));
    return vote(p.digest());
  }

  /**
   * Votes for a pending proposal; if our vote reaches the threshold, makes the new state.
   *
   * @param digestPrefix the proposal's digest, or a unique prefix of it
   * @return the vote line, and the new state if the proposal passed
   * @throws RoomException if no such proposal is pending
   */
  public Voted vote(String digestPrefix) throws RoomException {
    Pending p = findPending(digestPrefix);
    Vote v = Vote.create(p.proposal(), me);
    p.votes().put(me.id(), v);
    RoomState tip = state();
    int threshold = Math.max(1, tip.rules().threshold(p.proposal().change().action()));
    List<Vote> votes = List.copyOf(p.votes().values());
    RoomState next = null;
    if (tip.countVotes(p.proposal(), votes) >= threshold) {
      next = applyOwn(p.proposal().change(), p.proposal(), votes);
    }
    return new Voted(new RoomLine.Ballot(p.proposal(), v), next);
  }

  /**
   * The result of our vote.
   *
   * @param ballot the line for the members
   * @param passed the new state if it passed, else null
   */
  public record Voted(
      RoomLine.Ballot ballot, @org.jspecify.annotations.Nullable RoomState passed) {}

  private Pending findPending(String digestPrefix) throws RoomException {
    Pending found = null;
    for (Map.Entry<String, Pending> e : pending.entrySet()) {
      if (e.getKey().startsWith(digestPrefix)) {
        if (found != null) {
          throw new RoomException("'" + digestPrefix + "' names more than one proposal");
        }
        found = e.getValue();
      }
    }
    if (found == null) {
      throw new RoomException("no open proposal '" + digestPrefix + "'; /propose lists them");
    }
    return found;
  }

  /**
   * Offers a vote (with its proposal) from the network.
   *
   * @param ballot the line
   * @return what became of it
   */
  public Outcome offer(RoomLine.Ballot ballot) {
    RoomState tip = state();
    Proposal p = ballot.proposal();
    if (p.base() < tip.version()) {
      return DUPLICATE; // decided or overtaken
    }
    Optional<String> problem = tip.proposalProblem(p);
    if (problem.isPresent()) {
      return new Outcome.Refused(problem.get(), p.base() > tip.version());
    }
    Vote v = ballot.vote();
    if (tip.countVotes(p, List.of(v)) != 1) {
      return new Outcome.Refused("the vote is not signed by a member (forged)", false);
    }
    Pending entry = pending.get(p.digest());
    if (entry == null) {
      if (pending.size() >= MAX_PENDING) {
        return new Outcome.Refused("too many open proposals", false);
      }
      entry = new Pending(p, new LinkedHashMap<>());
      pending.put(p.digest(), entry);
    }
    return entry.votes().putIfAbsent(v.voter(), v) == null ? ACCEPTED : DUPLICATE;
  }

  /**
   * Returns and forgets the messages taken out of the log since the last call: a removed member's
   * messages written after its removal, which a member took before it knew.
   *
   * @return the messages
   */
  public List<RoomMessage> drainRetracted() {
    List<RoomMessage> out = List.copyOf(retracted);
    retracted.clear();
    return out;
  }

  /**
   * Returns the open proposals.
   *
   * @return a copy, oldest first
   */
  public List<Pending> pending() {
    List<Pending> out = new ArrayList<>();
    for (Pending p : pending.values()) {
      out.add(new Pending(p.proposal(), Map.copyOf(p.votes())));
    }
    return out;
  }

  /**
   * Returns the proposals that passed, most recent last.
   *
   * @return a copy
   */
  public List<Passed> passed() {
    return List.copyOf(passed);
  }

  /**
   * Returns what we send to catch up: our version and marks.
   *
   * @return the request
   */
  public RoomLine.SyncRequest syncRequest() {
    return new RoomLine.SyncRequest(id(), version(), log.marks());
  }

  /**
   * Answers a member's sync request with what it lacks, bounded; nothing for a peer that is not a
   * member now.
   *
   * @param from the asking peer's proven id
   * @param request its request
   * @return the reply, or empty if it lacks nothing or may not have it
   */
  public Optional<RoomLine.SyncReply> answer(String from, RoomLine.SyncRequest request) {
    if (!state().isActive(from) || !request.room().equals(id())) {
      return Optional.empty();
    }
    List<RoomState> newer = new ArrayList<>();
    for (RoomState s : states.tailMap(request.version(), false).values()) {
      if (newer.size() == RoomLimits.MAX_STATES_PER_LINE) {
        break;
      }
      newer.add(s);
    }
    RoomLog.Slice slice =
        log.missing(
            request.marks(), RoomLimits.MAX_MESSAGES_PER_LINE, RoomLimits.MAX_TEXT_BYTES_PER_LINE);
    if (slice.messages().isEmpty() && newer.isEmpty()) {
      return Optional.empty();
    }
    boolean moreStates = !newer.isEmpty() && newer.get(newer.size() - 1).version() < version();
    return Optional.of(
        new RoomLine.SyncReply(id(), newer, slice.messages(), slice.more() || moreStates));
  }

  /**
   * Applies a sync reply: its states first, then its messages.
   *
   * @param reply the reply
   * @return the messages that were new, in the agreed order
   */
  public List<RoomMessage> apply(RoomLine.SyncReply reply) {
    if (!reply.states().isEmpty()) {
      offerStates(reply.states());
    }
    List<RoomMessage> added = new ArrayList<>();
    for (RoomMessage m : reply.messages()) {
      if (offer(m) instanceof Outcome.Accepted) {
        added.add(m);
      }
    }
    return added;
  }

  private long version() {
    return state().version();
  }
}
