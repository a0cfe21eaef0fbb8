package io.parlance.client.cli;

import io.parlance.client.delivery.Outgoing;
import io.parlance.client.node.NodeEvent;
import io.parlance.client.node.PeerNode;
import io.parlance.client.node.SendException;
import io.parlance.client.peer.Peer;
import io.parlance.client.store.StoredMessage;
import java.util.List;
import java.util.Objects;

/**
 * What the {@link CommandExecutor} answers to a command, before any face renders it: the terminal
 * as lines for people, the JSON-lines faces ({@code --json}, the control socket) as JSON objects.
 */
sealed interface Reply {

  /**
   * Calls the visitor's method for this kind of reply.
   *
   * @param visitor what to do with each kind of reply
   * @param <R> what the visitor returns
   * @return what the visitor returned
   */
  <R> R accept(Visitor<R> visitor);

  /**
   * Tells whether the node's events tell the same as this reply, so that a face that shows every
   * event (a following session) need not show the reply too.
   *
   * @return true for the outcome of a send and a nickname change
   */
  default boolean toldByEvents() {
    return false;
  }

  /**
   * Renders each kind of reply: one method per case, so a face stops compiling when a reply is
   * added and it does not render it yet.
   *
   * @param <R> what each method returns
   */
  interface Visitor<R> {
    R peers(Peers reply);

    R sendOutcome(SendOutcome reply);

    R sendFailed(SendFailed reply);

    R nicknameChanged(NicknameChanged reply);

    R nicknameRefused(NicknameRefused reply);

    R verification(Verification reply);

    R trusted(Trusted reply);

    R history(History reply);

    R found(Found reply);

    R inbox(Inbox reply);

    R following(Following reply);

    R help(Help reply);

    R clear(Clear reply);

    R failure(Failure reply);

    R room(RoomReply reply);
  }

  /**
   * One peer of a {@link Peers} reply.
   *
   * @param peer the peer
   * @param trust how far we trust it: {@code plain}, {@code changed} or {@code verified}
   * @param path how it is reached: {@code direct} or {@code relayed via <server>}; null if unknown
   */
  record Listed(Peer peer, String trust, String path) {

    /**
     * A listed peer with no known path.
     *
     * @param peer the peer
     * @param trust how far it is trusted
     */
    Listed(Peer peer, String trust) {
      this(peer, trust, null);
    }
  }

  /**
   * The peers online.
   *
   * @param peers the peers, with how far each is trusted
   */
  record Peers(List<Listed> peers) implements Reply {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.peers(this);
    }
  }

  /**
   * A message was written to its peer, or kept in the outbox (with why).
   *
   * @param outgoing the message and its state
   */
  record SendOutcome(Outgoing outgoing) implements Reply {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.sendOutcome(this);
    }

    @Override
    public boolean toldByEvents() {
      return true;
    }
  }

  /**
   * A message was not sent.
   *
   * @param target whom it was for, as the user named them
   * @param error why
   */
  record SendFailed(String target, SendException error) implements Reply {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.sendFailed(this);
    }

    @Override
    public boolean toldByEvents() {
      return true;
    }
  }

  /**
   * Our nickname changed and was announced.
   *
   * @param before the old nickname
   * @param after the new one
   */
  record NicknameChanged(String before, String after) implements Reply {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.nicknameChanged(this);
    }

    @Override
    public boolean toldByEvents() {
      return true;
    }
  }

  /**
   * The new nickname is not valid.
   *
   * @param reason why, in words
   */
  record NicknameRefused(String reason) implements Reply {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.nicknameRefused(this);
    }
  }

  /**
   * Our id and a peer's, to compare out of band.
   *
   * @param verification the ids
   */
  record Verification(PeerNode.Verification verification) implements Reply {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.verification(this);
    }
  }

  /**
   * The key a peer presents is now accepted.
   *
   * @param peer the peer, with its id
   */
  record Trusted(Peer peer) implements Reply {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.trusted(this);
    }
  }

  /**
   * The last messages of a conversation.
   *
   * @param peer the peer as the user named it
   * @param messages oldest first
   */
  record History(String peer, List<StoredMessage> messages) implements Reply {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.history(this);
    }
  }

  /**
   * The stored messages that match a search.
   *
   * @param query the words
   * @param messages most recent first
   */
  record Found(String query, List<StoredMessage> messages) implements Reply {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.found(this);
    }
  }

  /**
   * The messages received since the start.
   *
   * @param messages oldest first
   */
  record Inbox(List<NodeEvent.MessageReceived> messages) implements Reply {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.inbox(this);
    }
  }

  /** Every event goes to this client from now on. */
  record Following() implements Reply {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.following(this);
    }
  }

  /** The commands. */
  record Help() implements Reply {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.help(this);
    }
  }

  /** Clear the screen. */
  record Clear() implements Reply {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.clear(this);
    }
  }

  /**
   * The command failed, or was not a valid command.
   *
   * @param message what went wrong, in words
   */
  record Failure(String message) implements Reply {
    /** Checks the message. */
    public Failure {
      Objects.requireNonNull(message, "message");
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.failure(this);
    }
  }

  /**
   * The answer to a room command: what it did, and the lists it asked for (the others are empty).
   *
   * @param kind the command: {@code created}, {@code invited}, {@code joined}, {@code left}, {@code
   *     removed}, {@code said}, {@code using}, {@code rooms}, {@code members}, {@code history},
   *     {@code found} or {@code proposals}
   * @param room the room's name, or empty
   * @param note one line saying what happened, or empty
   * @param rooms the rooms, for {@code rooms}
   * @param members the members, for {@code members}
   * @param messages the messages, for {@code history} and {@code found}
   * @param proposals the proposals, for {@code proposals}
   * @param about the room the command acted on, when it names one ({@code created}, {@code
   *     invited}, {@code joined}, {@code left}, {@code removed}, {@code using}); else null
   * @param said the message written, for {@code said} (its id and Lamport clock); else null
   */
  record RoomReply(
      String kind,
      String room,
      String note,
      java.util.List<io.parlance.client.node.Rooms.Info> rooms,
      java.util.List<io.parlance.client.node.Rooms.MemberInfo> members,
      java.util.List<io.parlance.client.store.MessageStore.RoomRow> messages,
      java.util.List<io.parlance.client.node.Rooms.ProposalInfo> proposals,
      io.parlance.client.node.Rooms.@org.jspecify.annotations.Nullable Info about,
      io.parlance.protocol.room.@org.jspecify.annotations.Nullable RoomMessage said)
      implements Reply {
    /** Copies the lists. */
    public RoomReply {
      Objects.requireNonNull(kind, "kind");
      rooms = java.util.List.copyOf(rooms);
      members = java.util.List.copyOf(members);
      messages = java.util.List.copyOf(messages);
      proposals = java.util.List.copyOf(proposals);
    }

    /**
     * A reply about no one room in particular.
     *
     * @param kind the command
     * @param room the room's name, or empty
     * @param note one line saying what happened, or empty
     * @param rooms the rooms
     * @param members the members
     * @param messages the messages
     * @param proposals the proposals
     */
    RoomReply(
        String kind,
        String room,
        String note,
        java.util.List<io.parlance.client.node.Rooms.Info> rooms,
        java.util.List<io.parlance.client.node.Rooms.MemberInfo> members,
        java.util.List<io.parlance.client.store.MessageStore.RoomRow> messages,
        java.util.List<io.parlance.client.node.Rooms.ProposalInfo> proposals) {
      this(kind, room, note, rooms, members, messages, proposals, null, null);
    }

    /**
     * A reply that only says what a command did to a room.
     *
     * @param kind the command
     * @param about the room
     * @param note what happened
     * @return the reply
     */
    static RoomReply done(String kind, io.parlance.client.node.Rooms.Info about, String note) {
      return new RoomReply(
          kind,
          about.name(),
          note,
          java.util.List.of(),
          java.util.List.of(),
          java.util.List.of(),
          java.util.List.of(),
          about,
          null);
    }

    /**
     * A reply that only says what happened.
     *
     * @param kind the command
     * @param room the room's name
     * @param note what happened
     * @return the reply
     */
    static RoomReply done(String kind, String room, String note) {
      return new RoomReply(
          kind,
          room,
          note,
          java.util.List.of(),
          java.util.List.of(),
          java.util.List.of(),
          java.util.List.of());
    }

    /**
     * The answer to {@code /say}: the message written, stored and queued for every member.
     *
     * @param room the room as the command named it
     * @param message the message
     * @return the reply
     */
    static RoomReply said(String room, io.parlance.protocol.room.RoomMessage message) {
      Objects.requireNonNull(message, "message");
      return new RoomReply(
          "said",
          room,
          "",
          java.util.List.of(),
          java.util.List.of(),
          java.util.List.of(),
          java.util.List.of(),
          null,
          message);
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.room(this);
    }
  }
}
