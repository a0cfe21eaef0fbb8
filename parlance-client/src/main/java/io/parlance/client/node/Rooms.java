package io.parlance.client.node;

import io.parlance.client.delivery.Outbox;
import io.parlance.client.messaging.InboundSink.Outcome;
import io.parlance.client.peer.Peer;
import io.parlance.client.peer.PeerDirectory;
import io.parlance.client.room.Room;
import io.parlance.client.room.RoomEnvelope;
import io.parlance.client.room.RoomException;
import io.parlance.client.security.PeerId;
import io.parlance.client.store.AsyncMessageStore;
import io.parlance.client.store.MessageStore;
import io.parlance.protocol.LogLimiter;
import io.parlance.protocol.ProtocolException;
import io.parlance.protocol.json.WireJson;
import io.parlance.protocol.room.Action;
import io.parlance.protocol.room.Change;
import io.parlance.protocol.room.Member;
import io.parlance.protocol.room.RoomLine;
import io.parlance.protocol.room.RoomMessage;
import io.parlance.protocol.room.RoomSigner;
import io.parlance.protocol.room.RoomState;
import io.parlance.protocol.room.Rules;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's rooms: holds each {@link Room} on one thread of its own, carries room lines to each
 * member through the durable {@link Outbox} (one entry per member), takes them in from peers that
 * proved their id, stores states and messages before it acknowledges, and asks a member that comes
 * back (or that knows more) for what we missed.
 */
public final class Rooms implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Rooms.class);

  /** Most invitations held until they are accepted. */
  private static final int MAX_INVITATIONS = 64;

  /** How long an invitation not accepted is kept; an older one is forgotten. */
  static final java.time.Duration INVITATION_LIFETIME = java.time.Duration.ofDays(30);

  /** An invitation not accepted yet: the signed state it carried, who sent it, and when. */
  private record Invitation(RoomState state, String inviter, String nickname, long receivedMs) {}

  /** A room as a face shows it. */
  public record Info(String id, String name, long version, int members, boolean member) {}

  /**
   * A member as a face shows it: verified when its key is the one we pinned for it, with what of
   * ours in the room is still on its way to it.
   *
   * @param id the member's id
   * @param nickname its nickname in the room's state
   * @param role its role
   * @param online whether it is connected now with the key the state lists
   * @param waiting our messages in the room it has not acknowledged yet (in our outbox); 0 for us
   * @param deposited of those, how many wait for it, sealed, in the bootstrap server's mailbox
   */
  public record MemberInfo(
      String id, String nickname, String role, boolean online, int waiting, int deposited) {}

  private final RoomSigner me;
  private final Supplier<String> nickname;
  private final AsyncMessageStore store;
  private final Outbox outbox;
  private final PeerDirectory directory;
  private final EventDispatcher events;
  private final ExecutorService thread =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "parlance-rooms");
            t.setDaemon(true);
            return t;
          });
  private final Map<String, Room> rooms = new LinkedHashMap<>();
  private final Map<String, Invitation> invitations = new LinkedHashMap<>();
  private final LogLimiter refusals = new LogLimiter();

  Rooms(
      RoomSigner me,
      Supplier<String> nickname,
      AsyncMessageStore store,
      Outbox outbox,
      PeerDirectory directory,
      EventDispatcher events) {
    this.me = Objects.requireNonNull(me, "me");
    this.nickname = Objects.requireNonNull(nickname, "nickname");
    this.store = Objects.requireNonNull(store, "store");
    this.outbox = Objects.requireNonNull(outbox, "outbox");
    this.directory = Objects.requireNonNull(directory, "directory");
    this.events = Objects.requireNonNull(events, "events");
  }

  /** Loads the stored rooms; blocks until they are (call it off the event loops). */
  void load() throws InterruptedException {
    try {
      Map<String, List<List<String>>> stored =
          store
              .submit(
                  s -> {
                    Map<String, List<List<String>>> out = new LinkedHashMap<>();
                    for (String id : s.rooms()) {
                      out.put(id, List.of(s.roomStates(id), s.roomMessages(id)));
                    }
                    return out;
                  })
              .get(30, TimeUnit.SECONDS);
      List<MessageStore.RoomInvitation> invited =
          store
              .submit(
                  s -> {
                    int expired = s.deleteRoomInvitationsBefore(expiry());
                    if (expired > 0) {
                      LOG.info("Forgot {} room invitations older than {}", expired, LIFETIME_TEXT);
                    }
                    return s.roomInvitations();
                  })
              .get(30, TimeUnit.SECONDS);
      call(() -> {
            stored.forEach(
                (id, parts) -> {
                  List<RoomState> states = new ArrayList<>();
                  parts
                      .get(0)
                      .forEach(
                          j ->
                              states.add(
                                  io.parlance.protocol.room.RoomCodec.readValue(
                                      j, RoomState.class)));
                  List<RoomMessage> messages = new ArrayList<>();
                  parts
                      .get(1)
                      .forEach(
                          j ->
                              messages.add(
                                  io.parlance.protocol.room.RoomCodec.readValue(
                                      j, RoomMessage.class)));
                  rooms.put(id, Room.restore(states, messages, me));
                });
            for (MessageStore.RoomInvitation i : invited) {
              restoreInvitation(i);
            }
            return null;
          })
          .get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("cannot load the stored rooms: " + e.getMessage(), e);
    }
  }

  // ---- what the faces call ----

  /**
   * Creates a room with us as its creator.
   *
   * @param name its name
   * @return the room
   */
  public CompletableFuture<Info> create(String name) {
    return create(name, 0);
  }

  /**
   * Creates a room with us as its creator, where removing a member or naming a moderator takes a
   * number of members' votes (0: moderators decide alone).
   *
   * @param name its name
   * @param votes the votes a removal or promotion needs
   * @return the room
   */
  public CompletableFuture<Info> create(String name, int votes) {
    if (votes == 0) {
      return create(name, Rules.MODERATED);
    }
    try {
      return create(name, new Rules(0, votes, votes));
    } catch (ProtocolException e) {
      return CompletableFuture.failedFuture(
          new RoomException("the room's rules: " + e.getMessage()));
    }
  }

  /**
   * Creates a room with us as its creator and these rules (how many votes admitting, removing or
   * promoting a member takes).
   *
   * @param name its name
   * @param rules its rules
   * @return the room
   */
  public CompletableFuture<Info> create(String name, Rules rules) {
    Objects.requireNonNull(rules, "rules");
    return call(
        () -> {
          Room room;
          try {
            room = Room.create(name.strip(), rules, nickname.get(), me);
          } catch (ProtocolException e) {
            throw new RoomException("the room name " + e.getMessage());
          }
          rooms.put(room.id(), room);
          persistStates(room, List.of(room.state()));
          return info(room);
        });
  }

  /**
   * Admits a peer (we must be the creator or a moderator): it gets an invitation, the members the
   * new state.
   *
   * @param roomRef the room's name or id
   * @param peer the peer, which must have proven its id
   * @return the room
   */
  public CompletableFuture<Info> invite(String roomRef, Peer peer) {
    return call(
        () -> {
          Room room = find(roomRef);
          if (peer.id() == null) {
            throw new RoomException(
                peer.nickname()
                    + " is a plain peer (no verified identity): only peers with"
                    + " encryption can join rooms");
          }
          String key =
              directory
                  .keyOf(peer.id())
                  .orElseThrow(
                      () ->
                          new RoomException(
                              "no signed announce from "
                                  + peer.nickname()
                                  + " gave its key yet; try again once it is listed by /peers"));
          RoomState next =
              room.change(new Change(Action.INVITE, peer.id().value(), key, peer.nickname()));
          persistStates(room, List.of(next));
          for (Member m : room.recipients()) {
            if (m.id().equals(peer.id().value())) {
              send(m, new RoomLine.Invite(next));
            } else {
              send(m, new RoomLine.States(List.of(next)));
            }
          }
          return info(room);
        });
  }

  /**
   * Removes a member (we must be the creator or a moderator): it gets nothing new.
   *
   * @param roomRef the room's name or id
   * @param memberRef the member's nickname or id (or a prefix of it)
   * @return the room
   */
  public CompletableFuture<Info> remove(String roomRef, String memberRef) {
    return call(
        () -> {
          Room room = find(roomRef);
          Member target = findMember(room, memberRef);
          RoomState next =
              room.change(new Change(Action.REMOVE, target.id(), target.key(), target.nickname()));
          persistStates(room, List.of(next));
          for (Member m : room.recipients()) {
            send(m, new RoomLine.States(List.of(next)));
          }
          send(target, new RoomLine.States(List.of(next))); // so it knows
          retract(room);
          return info(room);
        });
  }

  /**
   * Accepts an invitation.
   *
   * @param roomRef the room's name or id
   * @return the room
   */
  public CompletableFuture<Info> join(String roomRef) {
    return call(
        () -> {
          RoomState invitation = null;
          int matches = 0;
          for (Invitation i : invitations.values()) {
            RoomState s = i.state();
            if (s.room().equals(roomRef)
                || s.name().equals(roomRef)
                || (roomRef.length() >= 4 && s.room().startsWith(roomRef))) {
              invitation = s;
              matches++;
            }
          }
          if (invitation == null) {
            throw new RoomException(
                "no invitation to '" + roomRef + "'; /rooms lists the invitations you have");
          }
          if (matches > 1) {
            throw new RoomException(
                "several invitations match '" + roomRef + "'; name one by the start of its id");
          }
          Room room = Room.join(invitation, me);
          invitations.remove(invitation.room());
          rooms.put(room.id(), room);
          persistStates(room, List.of(invitation));
          forgetInvitation(invitation.room());
          for (Member m : room.recipients()) {
            send(m, room.syncRequest());
          }
          return info(room);
        });
  }

  /**
   * Leaves a room: forgets it here (the members still list us until a moderator removes us).
   *
   * @param roomRef the room's name or id
   * @return the room as it was
   */
  public CompletableFuture<Info> leave(String roomRef) {
    return call(
        () -> {
          Room room = find(roomRef);
          rooms.remove(room.id());
          String id = room.id();
          store.submit(
              s -> {
                s.deleteRoom(id);
                return null;
              });
          return info(room);
        });
  }

  /**
   * Writes a message to a room.
   *
   * @param roomRef the room's name or id
   * @param text the text
   * @return the message
   */
  public CompletableFuture<RoomMessage> say(String roomRef, String text) {
    return call(() -> {
          Room room = find(roomRef);
          RoomMessage m = room.post(text);
          // stored, then queued for each member, in that order on the store's thread
          CompletableFuture<?> stored = persistMessages(room, List.of(m));
          // One envelope, one look at the directory and one call to the store for every member,
          // not one each: a burst to a room of 50 would otherwise be 49 calls a message.
          String content = RoomEnvelope.wrap(new RoomLine.Post(m));
          Map<String, Peer> online = onlineById();
          List<Outbox.Recipient> copies = new ArrayList<>();
          for (Member member : room.recipients()) {
            copies.add(recipient(member, online.get(member.id())));
          }
          CompletableFuture<?> queued =
              copies.isEmpty()
                  ? done()
                  : outbox
                      .submitAll(copies, content, System.currentTimeMillis() / 1000)
                      .exceptionally(
                          e -> {
                            LOG.warn(
                                "Could not queue message {} of room '{}' for its members (they"
                                    + " get it when they next sync with us): {}",
                                m.id(),
                                LogLimiter.oneLine(room.state().name()),
                                e.getMessage());
                            return null;
                          });
          return CompletableFuture.allOf(stored, queued).thenApply(x -> m);
        })
        .thenCompose(f -> f);
  }

  /**
   * A proposal as a face shows it.
   *
   * @param digest its digest (name it by a prefix to vote)
   * @param what the change asked for
   * @param votes the votes so far
   * @param needed the votes it needs
   * @param passed whether it passed
   */
  public record ProposalInfo(String digest, String what, int votes, int needed, boolean passed) {}

  /**
   * Puts a change to the members' vote (our own vote included), or, with no argument, lists the
   * open and passed proposals.
   *
   * @param roomRef the room's name or id
   * @param action {@code invite}, {@code remove} or {@code promote}
   * @param peerRef the peer (for invite, a peer online) or member
   * @return the proposals of the room
   */
  public CompletableFuture<List<ProposalInfo>> propose(
      String roomRef, String action, String peerRef, @Nullable Peer online) {
    return call(
        () -> {
          Room room = find(roomRef);
          Change change;
          switch (action.toLowerCase(java.util.Locale.ROOT)) {
            case "invite" -> {
              if (online == null || online.id() == null) {
                throw new RoomException(
                    "only a peer online with a verified identity can be invited");
              }
              String key =
                  directory
                      .keyOf(online.id())
                      .orElseThrow(() -> new RoomException("no key known yet for " + peerRef));
              change = new Change(Action.INVITE, online.id().value(), key, online.nickname());
            }
            case "remove", "promote" -> {
              Member m = findMember(room, peerRef);
              change =
                  new Change(
                      action.equalsIgnoreCase("remove") ? Action.REMOVE : Action.PROMOTE,
                      m.id(),
                      m.key(),
                      m.nickname());
            }
            default ->
                throw new RoomException(
                    "a proposal is invite, remove or promote: /propose <room> <action> <peer>");
          }
          publishVote(room, room.propose(change));
          return proposals(room);
        });
  }

  /**
   * Votes for an open proposal.
   *
   * @param roomRef the room's name or id
   * @param digestPrefix the start of the proposal's digest
   * @return the proposals of the room
   */
  public CompletableFuture<List<ProposalInfo>> vote(String roomRef, String digestPrefix) {
    return call(
        () -> {
          Room room = find(roomRef);
          publishVote(room, room.vote(digestPrefix));
          return proposals(room);
        });
  }

  /**
   * Lists a room's open and passed proposals.
   *
   * @param roomRef the room's name or id
   * @return the proposals
   */
  public CompletableFuture<List<ProposalInfo>> proposals(String roomRef) {
    return call(() -> proposals(find(roomRef)));
  }

  private void publishVote(Room room, Room.Voted voted) {
    RoomState passed = voted.passed();
    for (Member m : room.recipients()) {
      send(m, voted.ballot());
      if (passed != null) {
        if (passed.change().action() == Action.INVITE && m.id().equals(passed.change().target())) {
          send(m, new RoomLine.Invite(passed));
        } else {
          send(m, new RoomLine.States(List.of(passed)));
        }
      }
    }
    if (passed != null) {
      persistStates(room, List.of(passed));
      if (passed.change().action() == Action.REMOVE) {
        room.state()
            .member(passed.change().target())
            .ifPresent(m -> send(m, new RoomLine.States(List.of(passed))));
      }
      retract(room);
    }
  }

  private static List<ProposalInfo> proposals(Room room) {
    List<ProposalInfo> out = new ArrayList<>();
    for (Room.Pending p : room.pending()) {
      Change c = p.proposal().change();
      out.add(
          new ProposalInfo(
              p.proposal().digest(),
              describe(c),
              room.state().countVotes(p.proposal(), List.copyOf(p.votes().values())),
              Math.max(1, room.state().rules().threshold(c.action())),
              false));
    }
    for (Room.Passed p : room.passed()) {
      Change c = p.proposal().change();
      out.add(new ProposalInfo(p.proposal().digest(), describe(c), 0, 0, true));
    }
    return out;
  }

  /**
   * Lists our rooms and, after them, the invitations not yet accepted.
   *
   * @return the rooms
   */
  public CompletableFuture<List<Info>> list() {
    return call(
        () -> {
          List<Info> out = new ArrayList<>();
          rooms.values().forEach(r -> out.add(info(r)));
          dropExpired();
          invitations.values().stream()
              .map(Invitation::state)
              .forEach(
                  s ->
                      out.add(new Info(s.room(), s.name(), s.version(), s.active().size(), false)));
          return out;
        });
  }

  /**
   * Lists a room's current members.
   *
   * @param roomRef the room's name or id
   * @return the members
   */
  public CompletableFuture<List<MemberInfo>> members(String roomRef) {
    return call(() -> {
          Room room = find(roomRef);
          Map<String, Peer> online = onlineById();
          List<Map.Entry<Member, Boolean>> members = new ArrayList<>();
          for (Member m : room.state().active()) {
            members.add(Map.entry(m, m.id().equals(me.id()) || online.containsKey(m.id())));
          }
          return Map.entry(room.id(), members);
        })
        .thenCompose(
            found ->
                store
                    .submit(s -> s.pendingRoomPosts(RoomEnvelope.PREFIX, found.getKey()))
                    .thenApply(
                        counts ->
                            found.getValue().stream().map(e -> withCounts(e, counts)).toList()));
  }

  /** A member as {@link #members} lists it: whether it is online, and what waits for it. */
  private static MemberInfo withCounts(
      Map.Entry<Member, Boolean> member, Map<String, MessageStore.PendingCount> counts) {
    Member m = member.getKey();
    MessageStore.PendingCount c = counts.getOrDefault(m.id(), MessageStore.PendingCount.NONE);
    return new MemberInfo(
        m.id(), m.nickname(), m.role().wire(), member.getValue(), c.waiting(), c.deposited());
  }

  /**
   * Returns the ids of the members called so in the rooms we are in, so a message can be queued for
   * a member that is away and was never written to directly.
   *
   * @param nickname the nickname
   * @return the members' ids, each once, ours left out; possibly none
   */
  public CompletableFuture<List<String>> memberIds(String nickname) {
    return call(
        () ->
            rooms.values().stream()
                .flatMap(r -> r.state().active().stream())
                .filter(m -> m.nickname().equals(nickname) && !m.id().equals(me.id()))
                .map(Member::id)
                .distinct()
                .toList());
  }

  /**
   * Our messages in a room that a member has not acknowledged yet, per member.
   *
   * @param id the member's id
   * @param nickname its nickname
   * @param waiting our messages in the room not yet delivered to it (in our outbox)
   * @param deposited of those, how many wait for it, sealed, in the bootstrap server's mailbox
   */
  public record Waiting(String id, String nickname, int waiting, int deposited) {}

  /**
   * Tells, for each other member of a room, how many of our messages in it are still on their way
   * (queued, sent, or deposited in the mailbox for a member that was offline); a message leaves the
   * count once the member acknowledged it, directly or through a mailbox receipt.
   *
   * @param roomRef the room's name or id
   * @return one entry per other member
   */
  public CompletableFuture<List<Waiting>> waiting(String roomRef) {
    return members(roomRef)
        .thenApply(
            list ->
                list.stream()
                    .filter(m -> !m.id().equals(me.id()))
                    .map(m -> new Waiting(m.id(), m.nickname(), m.waiting(), m.deposited()))
                    .toList());
  }

  /**
   * Returns a room's latest stored messages, in the room's order.
   *
   * @param roomRef the room's name or id
   * @param limit the most
   * @return the messages
   */
  public CompletableFuture<List<MessageStore.RoomRow>> history(String roomRef, int limit) {
    return call(() -> find(roomRef).id())
        .thenCompose(
            id -> store.submit(s -> s.roomHistory(id, Math.max(1, Math.min(limit, 1000)))));
  }

  /**
   * Searches the messages of every room.
   *
   * @param text the words
   * @param limit the most
   * @return the matches, newest first
   */
  public CompletableFuture<List<MessageStore.RoomRow>> search(String text, int limit) {
    return store.submit(s -> s.roomSearch(text, Math.max(1, Math.min(limit, 1000))));
  }

  /**
   * Returns a room's name for an id, for showing rows.
   *
   * @param roomRef the room's name or id
   * @return the room
   */
  public CompletableFuture<Info> info(String roomRef) {
    return call(() -> info(find(roomRef)));
  }

  // ---- the network ----

  /** A peer came online: ask it for what we missed in the rooms it shares with us. */
  void peerPresent(Peer peer) {
    if (peer.id() == null) {
      return;
    }
    String id = peer.id().value();
    call(() -> {
          for (Room room : rooms.values()) {
            if (room.amMember() && room.state().isActive(id)) {
              room.state().member(id).ifPresent(m -> send(m, room.syncRequest()));
            }
          }
          return null;
        })
        .whenComplete(
            (x, e) -> {
              if (e != null) {
                LOG.warn(
                    "Could not ask {} what we missed in our rooms: {}",
                    peer.nickname(),
                    LogLimiter.describe(e));
              }
            });
  }

  /**
   * A chat line carrying a room line arrived; settles once what it brought is stored.
   *
   * @param proven the id the sender proved over TLS, or null for a plain connection
   * @param from the line's nickname
   * @param content the carrier text
   * @return what the connection should do: acknowledge (also when refused: sending it again would
   *     not help), or nothing for a plain line
   */
  CompletionStage<Outcome> received(@Nullable PeerId proven, String from, String content) {
    if (proven == null) {
      refused(null, from, "a room line on a plain connection: rooms need encryption");
      return Outcome.NOTHING.now();
    }
    RoomLine line;
    try {
      line = RoomEnvelope.unwrap(content);
    } catch (ProtocolException e) {
      refused(null, from, "a malformed room line: " + e.getMessage());
      return Outcome.ACKNOWLEDGE.now();
    }
    String sender = proven.value();
    return call(() -> handle(sender, from, line))
        .exceptionally(
            e -> {
              refused(null, from, "could not handle a room line: " + e.getMessage());
              return CompletableFuture.completedFuture(null);
            })
        .thenCompose(stored -> stored)
        .thenApply(x -> Outcome.ACKNOWLEDGE);
  }

  /** Handles one line on the rooms thread; returns when what it brought is stored. */
  private CompletableFuture<?> handle(String sender, String from, RoomLine line) {
    if (line instanceof RoomLine.Invite invite) {
      RoomState s = invite.state();
      if (rooms.containsKey(s.room())) {
        return offerStates(rooms.get(s.room()), sender, from, List.of(s));
      }
      if (!s.isActive(sender) || !s.isActive(me.id())) {
        refused(null, from, "an invitation that does not list both of us");
        return done();
      }
      dropExpired();
      if (invitations.size() >= MAX_INVITATIONS && !invitations.containsKey(s.room())) {
        refused(null, from, "an invitation: too many are waiting; /join or ignore some");
        return done();
      }
      Invitation earlier = invitations.get(s.room());
      if (earlier != null && earlier.state().version() > s.version()) {
        return done(); // an older copy of one we hold
      }
      Invitation invitation = new Invitation(s, sender, from, System.currentTimeMillis());
      invitations.put(s.room(), invitation);
      events.publish(
          new NodeEvent.RoomActivity(
              "invited", s.room(), s.name(), from, sender, "invites you; /join " + s.name()));
      return persistInvitation(invitation);
    }
    Room room = rooms.get(line.roomId());
    if (room == null && invitations.containsKey(line.roomId())) {
      return invitationChanged(invitations.get(line.roomId()), sender, from, line);
    }
    if (room == null) {
      refused(null, from, "a line for a room we are not in");
      return done();
    }
    if (!room.state().isActive(sender)) {
      refused(room, from, "a line from a peer that is not a member");
      return done();
    }
    if (line instanceof RoomLine.Post post) {
      return offerMessage(room, sender, from, post.message());
    } else if (line instanceof RoomLine.States states) {
      return offerStates(room, sender, from, states.states());
    } else if (line instanceof RoomLine.Ballot ballot) {
      Room.Outcome o = room.offer(ballot);
      if (o instanceof Room.Outcome.Refused r) {
        refused(room, from, r.reason());
      } else if (o instanceof Room.Outcome.Accepted) {
        events.publish(
            new NodeEvent.RoomActivity(
                "proposal",
                room.id(),
                room.state().name(),
                from,
                sender,
                "votes for " + describe(ballot.proposal().change())));
      }
      return done();
    } else if (line instanceof RoomLine.SyncRequest request) {
      room.answer(sender, request)
          .ifPresent(reply -> room.state().member(sender).ifPresent(m -> send(m, reply)));
      return done();
    } else if (line instanceof RoomLine.SyncReply reply) {
      CompletableFuture<?> states =
          reply.states().isEmpty() ? done() : offerStates(room, sender, from, reply.states());
      List<RoomMessage> added = new ArrayList<>();
      for (RoomMessage m : reply.messages()) {
        if (room.offer(m) instanceof Room.Outcome.Accepted) {
          added.add(m);
        }
      }
      showAll(room, added);
      if (reply.more()) {
        room.state().member(sender).ifPresent(m -> send(m, room.syncRequest()));
      }
      return CompletableFuture.allOf(states, persistMessages(room, added));
    }
    refused(room, from, "a room line of a kind we do not take here");
    return done();
  }

  private CompletableFuture<?> offerMessage(Room room, String sender, String from, RoomMessage m) {
    Room.Outcome o = room.offer(m);
    if (o instanceof Room.Outcome.Refused r) {
      refused(room, from, r.reason());
      if (r.needsSync()) {
        room.state().member(sender).ifPresent(member -> send(member, room.syncRequest()));
      }
      return done();
    }
    if (o instanceof Room.Outcome.Duplicate) {
      return done();
    }
    showAll(room, List.of(m));
    return persistMessages(room, List.of(m));
  }

  private CompletableFuture<?> offerStates(
      Room room, String sender, String from, List<RoomState> states) {
    long before = room.state().version();
    boolean wasMember = room.amMember();
    Room.Outcome o = room.offerStates(states);
    if (o instanceof Room.Outcome.Refused r) {
      refused(room, from, r.reason());
      if (r.needsSync()) {
        room.state().member(sender).ifPresent(member -> send(member, room.syncRequest()));
      }
      return done();
    }
    if (!(o instanceof Room.Outcome.Accepted)) {
      return done();
    }
    List<RoomState> fresh = new ArrayList<>();
    for (RoomState s : room.states()) {
      if (s.version() > before || s.version() == room.state().version()) {
        fresh.add(s);
        if (s.change() != null && s.version() > before) {
          events.publish(
              new NodeEvent.RoomActivity(
                  s.proposal() == null ? "changed" : "passed",
                  room.id(),
                  s.name(),
                  nicknameOf(room, s.author()),
                  s.author(),
                  describe(s.change())));
        }
      }
    }
    if (wasMember && !room.amMember()) {
      events.publish(
          new NodeEvent.RoomActivity(
              "changed",
              room.id(),
              room.state().name(),
              from,
              sender,
              "you were removed from the room"));
    }
    retract(room);
    return persistStates(room, fresh);
  }

  private void retract(Room room) {
    for (RoomMessage m : room.drainRetracted()) {
      store.submit(
          s -> {
            s.deleteRoomMessage(room.id(), m.id());
            return null;
          });
    }
  }

  private void showAll(Room room, List<RoomMessage> messages) {
    for (RoomMessage m : messages) {
      events.publish(
          new NodeEvent.RoomActivity(
              "message",
              room.id(),
              room.state().name(),
              nicknameOf(room, m.author()),
              m.author(),
              m.text()));
    }
  }

  /**
   * A line for a room we hold an invitation to: states that follow the invitation's (checked
   * against it, one version after another) bring it up to date, or withdraw it when they no longer
   * list us; anything else waits for the sync that joining starts.
   */
  private CompletableFuture<?> invitationChanged(
      Invitation invitation, String sender, String from, RoomLine line) {
    List<RoomState> offered =
        line instanceof RoomLine.States states
            ? states.states()
            : line instanceof RoomLine.SyncReply reply ? reply.states() : List.of();
    RoomState tip = invitation.state();
    List<RoomState> sorted = new ArrayList<>(offered);
    sorted.sort(java.util.Comparator.comparingLong(RoomState::version));
    for (RoomState s : sorted) {
      if (s.version() == tip.version() + 1 && s.problem(tip).isEmpty()) {
        tip = s;
      }
    }
    if (tip == invitation.state()) {
      // The members count us already; what they say reaches us by sync once we join.
      LOG.debug(
          "Skipped a {} line from {} for room {}, which we are only invited to",
          line.getClass().getSimpleName(),
          LogLimiter.oneLine(from),
          LogLimiter.oneLine(tip.name()));
      return done();
    }
    if (!tip.isActive(me.id())) {
      invitations.remove(tip.room());
      events.publish(
          new NodeEvent.RoomActivity(
              "withdrawn",
              tip.room(),
              tip.name(),
              from,
              sender,
              "the invitation to room '" + tip.name() + "' was withdrawn"));
      return forgetInvitation(tip.room());
    }
    Invitation updated =
        new Invitation(tip, invitation.inviter(), invitation.nickname(), invitation.receivedMs());
    invitations.put(tip.room(), updated);
    return persistInvitation(updated);
  }

  /** Puts back a stored invitation, unless it is for a room we are in or it does not hold. */
  private void restoreInvitation(MessageStore.RoomInvitation stored) {
    RoomState s;
    try {
      s = io.parlance.protocol.room.RoomCodec.readValue(stored.json(), RoomState.class);
    } catch (RuntimeException e) {
      LOG.warn("Forgot a stored room invitation that does not read: {}", e.getMessage());
      forgetInvitation(stored.room());
      return;
    }
    if (rooms.containsKey(s.room())
        || !s.isActive(me.id())
        || invitations.size() >= MAX_INVITATIONS) {
      forgetInvitation(s.room());
      return;
    }
    invitations.put(
        s.room(), new Invitation(s, stored.inviter(), stored.nickname(), stored.receivedMs()));
  }

  /** Forgets the invitations past their lifetime, here and in the store. */
  private void dropExpired() {
    long expiry = expiry();
    List<String> old =
        invitations.values().stream()
            .filter(i -> i.receivedMs() < expiry)
            .map(i -> i.state().room())
            .toList();
    for (String room : old) {
      invitations.remove(room);
      forgetInvitation(room);
    }
  }

  private static long expiry() {
    return System.currentTimeMillis() - INVITATION_LIFETIME.toMillis();
  }

  private static final String LIFETIME_TEXT = INVITATION_LIFETIME.toDays() + " days";

  private CompletableFuture<?> persistInvitation(Invitation i) {
    RoomState st = i.state();
    String json = new String(WireJson.toBytes(st), java.nio.charset.StandardCharsets.UTF_8);
    return store.submit(
        s -> {
          s.saveRoomInvitation(
              st.room(), st.name(), i.inviter(), i.nickname(), json, i.receivedMs());
          return null;
        });
  }

  private CompletableFuture<?> forgetInvitation(String room) {
    return store.submit(
        s -> {
          s.deleteRoomInvitation(room);
          return null;
        });
  }

  private void refused(@Nullable Room room, String from, String reason) {
    String name = room == null ? "?" : room.state().name();
    boolean logged =
        refusals.log(
            more ->
                LOG.warn(
                    "Refused a room line from {} (room {}): {}{}",
                    LogLimiter.oneLine(from),
                    LogLimiter.oneLine(name),
                    LogLimiter.oneLine(reason),
                    more));
    if (logged) {
      events.publish(
          new NodeEvent.RoomActivity(
              "refused", room == null ? "" : room.id(), name, from, null, reason));
    }
  }

  private void send(Member member, RoomLine line) {
    Optional<Peer> online =
        directory.peers().stream()
            .filter(p -> p.id() != null && p.id().value().equals(member.id()))
            .findFirst();
    send(member, RoomEnvelope.wrap(line), online.orElse(null));
  }

  /** The peers online now that proved an id, by that id. */
  private Map<String, Peer> onlineById() {
    Map<String, Peer> byId = new HashMap<>();
    for (Peer p : directory.peers()) {
      if (p.id() != null) {
        byId.putIfAbsent(p.id().value(), p);
      }
    }
    return byId;
  }

  /** Where a member's copy goes: under its id, by the nickname it has online if it is. */
  private static Outbox.Recipient recipient(Member member, @Nullable Peer online) {
    return new Outbox.Recipient(
        member.id(), online != null ? online.nickname() : member.nickname(), online);
  }

  private void send(Member member, String content, @Nullable Peer online) {
    Outbox.Recipient to = recipient(member, online);
    outbox
        .submit(to.key(), to.nickname(), to.peer(), content, System.currentTimeMillis() / 1000)
        .whenComplete(
            (ok, e) -> {
              if (e != null) {
                LOG.warn(
                    "Could not queue a room line for {}: {}", member.nickname(), e.getMessage());
              }
            });
  }

  private CompletableFuture<?> persistStates(Room room, List<RoomState> states) {
    List<String> json =
        states.stream()
            .map(s -> new String(WireJson.toBytes(s), java.nio.charset.StandardCharsets.UTF_8))
            .toList();
    return store.submit(
        s -> {
          for (int i = 0; i < states.size(); i++) {
            RoomState st = states.get(i);
            s.saveRoomState(st.room(), st.version(), st.name(), json.get(i));
          }
          return null;
        });
  }

  private CompletableFuture<?> persistMessages(Room room, List<RoomMessage> messages) {
    if (messages.isEmpty()) {
      return done();
    }
    List<MessageStore.RoomRow> rows = new ArrayList<>();
    List<String> json = new ArrayList<>();
    for (RoomMessage m : messages) {
      rows.add(
          new MessageStore.RoomRow(
              m.room(), m.id(), m.author(), nicknameOf(room, m.author()), m.clock(), m.text(), 0));
      json.add(new String(WireJson.toBytes(m), java.nio.charset.StandardCharsets.UTF_8));
    }
    return store.submit(
        s -> {
          for (int i = 0; i < rows.size(); i++) {
            s.saveRoomMessage(rows.get(i), messages.get(i).seq(), json.get(i));
          }
          return null;
        });
  }

  private static String nicknameOf(Room room, String id) {
    return room.state().member(id).map(Member::nickname).orElse(id.substring(0, 8));
  }

  private static String describe(Change c) {
    return switch (c.action()) {
      case INVITE -> "admitted " + c.nickname();
      case REMOVE -> "removed " + c.nickname();
      case PROMOTE -> "made " + c.nickname() + " a moderator";
    };
  }

  private Room find(String ref) throws RoomException {
    Room byId = rooms.get(ref);
    if (byId != null) {
      return byId;
    }
    List<Room> matches = new ArrayList<>();
    for (Room r : rooms.values()) {
      if (r.state().name().equals(ref) || (ref.length() >= 4 && r.id().startsWith(ref))) {
        matches.add(r);
      }
    }
    if (matches.size() == 1) {
      return matches.get(0);
    }
    if (matches.isEmpty()) {
      throw new RoomException("you are in no room '" + ref + "'; /rooms lists yours");
    }
    throw new RoomException(
        "several rooms are called '" + ref + "'; name one by the start of its id (/rooms)");
  }

  private static Member findMember(Room room, String ref) throws RoomException {
    List<Member> matches = new ArrayList<>();
    for (Member m : room.state().active()) {
      if (m.nickname().equals(ref) || (ref.length() >= 4 && m.id().startsWith(ref))) {
        matches.add(m);
      }
    }
    if (matches.size() != 1) {
      throw new RoomException(
          matches.isEmpty()
              ? "no member '" + ref + "' in room '" + room.state().name() + "'; /members lists them"
              : "several members are called '" + ref + "'; name one by the start of its id");
    }
    return matches.get(0);
  }

  private static Info info(Room r) {
    return new Info(
        r.id(), r.state().name(), r.state().version(), r.state().active().size(), r.amMember());
  }

  private static CompletableFuture<?> done() {
    return CompletableFuture.completedFuture(null);
  }

  /** Work for the rooms thread that may fail with a {@link RoomException}. */
  @FunctionalInterface
  private interface Work<T> {
    T run() throws RoomException;
  }

  private <T> CompletableFuture<T> call(Work<T> work) {
    CompletableFuture<T> out = new CompletableFuture<>();
    try {
      thread.execute(
          () -> {
            try {
              out.complete(work.run());
            } catch (RoomException | RuntimeException e) {
              out.completeExceptionally(e);
            }
          });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      out.completeExceptionally(new RoomException("the node is stopping"));
    }
    return out;
  }

  @Override
  public void close() {
    thread.shutdown();
    try {
      thread.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
