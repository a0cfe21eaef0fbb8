package io.parlance.client.node;

import io.parlance.client.peer.Peer;
import io.parlance.client.peer.PeerDirectory.LeaveReason;
import io.parlance.client.security.PeerId;
import io.parlance.client.store.DeliveryState;

/** Something that happened in a {@link PeerNode}, delivered to its listeners in order. */
public sealed interface NodeEvent {

  /**
   * Calls the visitor's method for this kind of event.
   *
   * @param visitor what to do with each kind of event
   * @param <R> what the visitor returns
   * @return what the visitor returned
   */
  <R> R accept(Visitor<R> visitor);

  /**
   * Does something with each kind of event: one method per case, so a face that renders events
   * stops compiling when a new kind of event is added and it does not handle it yet.
   *
   * @param <R> what each method returns
   */
  interface Visitor<R> {
    R ready(Ready event);

    R peerJoined(PeerJoined event);

    R peerLeft(PeerLeft event);

    R peerRenamed(PeerRenamed event);

    R messageReceived(MessageReceived event);

    R messageRejected(MessageRejected event);

    R lineRefused(LineRefused event);

    R trustWarning(TrustWarning event);

    R identityMismatch(IdentityMismatch event);

    R messageSent(MessageSent event);

    R delivery(Delivery event);

    R sendFailed(SendFailed event);

    R nicknameChanged(NicknameChanged event);

    R error(Error event);

    R serverStatus(ServerStatus event);

    R stopped(Stopped event);

    R room(RoomActivity event);
  }

  /**
   * The node is up: listening and announcing.
   *
   * @param nickname our nickname
   * @param tcpPort the TCP port we listen on
   * @param interfaceName the discovery interface
   */
  record Ready(String nickname, int tcpPort, String interfaceName) implements NodeEvent {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.ready(this);
    }
  }

  /**
   * A peer appeared.
   *
   * @param peer the peer
   */
  record PeerJoined(Peer peer) implements NodeEvent {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.peerJoined(this);
    }
  }

  /**
   * A peer left.
   *
   * @param peer the peer
   * @param reason why
   */
  record PeerLeft(Peer peer, LeaveReason reason) implements NodeEvent {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.peerLeft(this);
    }
  }

  /**
   * A known address now announces another nickname.
   *
   * @param before the peer as it was
   * @param after the peer as it is
   */
  record PeerRenamed(Peer before, Peer after) implements NodeEvent {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.peerRenamed(this);
    }
  }

  /**
   * A message arrived.
   *
   * @param from the sender's nickname as written in the message
   * @param content the text
   * @param timestamp when it was sent, in Unix seconds, as the sender says
   * @param address the sender's message address if it is a known peer, else the connection's
   * @param senderId the id the sender proved over TLS, or null for an unverified (plain) message
   * @param sender how to name the sender unambiguously: its nickname, or {@code nickname#ABCD} (the
   *     start of its id) when several peers online share the nickname or its key is not the one
   *     pinned for it
   * @param unpinned true if the sender proved a key, but not the one pinned for its nickname:
   *     another peer using the same nickname as one the user knows
   */
  record MessageReceived(
      String from,
      String content,
      long timestamp,
      String address,
      PeerId senderId,
      String sender,
      boolean unpinned)
      implements NodeEvent {

    /** Checks that the sender's name is given. */
    public MessageReceived {
      sender = sender == null ? from : sender;
    }

    /**
     * Creates the event of a message whose sender is named by its nickname alone.
     *
     * @param from the sender's nickname as written in the message
     * @param content the text
     * @param timestamp when it was sent, Unix seconds
     * @param address the sender's message address
     * @param senderId the id it proved over TLS, or null
     */
    public MessageReceived(
        String from, String content, long timestamp, String address, PeerId senderId) {
      this(from, content, timestamp, address, senderId, from, false);
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.messageReceived(this);
    }

    /**
     * Tells whether the sender proved who it is.
     *
     * @return true for a message over an authenticated connection
     */
    public boolean verified() {
      return senderId != null;
    }
  }

  /**
   * A message was refused: it came over an authenticated connection but named someone else as its
   * sender, or came from a key that differs from the one remembered for its nickname.
   *
   * @param from the sender as written in the message
   * @param address the connection's address
   * @param reason why it was refused, in words
   */
  record MessageRejected(String from, String address, String reason) implements NodeEvent {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.messageRejected(this);
    }
  }

  /**
   * A line a peer sent us was dropped, unread, and its connection closed: it was longer than we
   * take, or its sender's address had too many bytes of unfinished lines waiting. The sender may
   * believe it was delivered (a plain peer cannot tell).
   *
   * @param from the sender's nickname as the line begins with it (unverified), else null
   * @param address where the connection came from
   * @param bytes how long the line was when it was dropped (it may have been longer)
   * @param reason why, in words
   */
  record LineRefused(String from, String address, long bytes, String reason) implements NodeEvent {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.lineRefused(this);
    }
  }

  /**
   * A peer presents another key than the one remembered for its nickname: it is refused until the
   * user accepts the new key.
   *
   * @param peer the peer, with the id it presents
   * @param warning the loud warning, naming both fingerprints and how to accept the change
   */
  record TrustWarning(Peer peer, String warning) implements NodeEvent {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.trustWarning(this);
    }
  }

  /**
   * A connection to a peer proved another key than the one the peer announced: someone may be
   * intercepting it (a man in the middle). Nothing was written to it; messages for the peer stay in
   * the outbox. Told once per peer and address until a connection to it succeeds again (or 10
   * minutes pass), not at every retry.
   *
   * @param peer the peer we meant to reach, with the id it announced
   * @param message what happened, naming both ids, and what it means
   */
  record IdentityMismatch(Peer peer, String message) implements NodeEvent {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.identityMismatch(this);
    }
  }

  /**
   * A message was written to a peer's connection for the first time.
   *
   * @param to the peer
   * @param content the text
   * @param id the message id
   */
  record MessageSent(Peer to, String content, String id) implements NodeEvent {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.messageSent(this);
    }
  }

  /**
   * One of our messages changed state: {@link DeliveryState#QUEUED} once it is in the outbox,
   * {@link DeliveryState#SENT} when it is first written to the peer (final for a plain peer, which
   * cannot acknowledge), {@link DeliveryState#DELIVERED} when the peer acknowledged that it stored
   * it. Each state is told once per message, in this order, except that a message acknowledged
   * before its write completed goes from queued to sent and delivered at once.
   *
   * @param id the message id
   * @param to the recipient's nickname
   * @param peerKey the conversation's key: the peer's id, or its nickname for a plain peer
   * @param state the new state
   * @param content the text
   */
  record Delivery(String id, String to, String peerKey, DeliveryState state, String content)
      implements NodeEvent {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.delivery(this);
    }
  }

  /**
   * A message could not be sent.
   *
   * @param target whom it was for, as the user named them
   * @param error why
   */
  record SendFailed(String target, SendException error) implements NodeEvent {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.sendFailed(this);
    }
  }

  /**
   * Our nickname changed and was announced.
   *
   * @param before the old nickname
   * @param after the new nickname
   */
  record NicknameChanged(String before, String after) implements NodeEvent {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.nicknameChanged(this);
    }
  }

  /**
   * Something went wrong in the background.
   *
   * @param message what, in words
   */
  record Error(String message) implements NodeEvent {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.error(this);
    }
  }

  /**
   * News from the bootstrap server connection: registered, disconnected (said once per outage,
   * while retrying), or a refusal such as a taken nickname.
   *
   * @param status {@code registered}, {@code disconnected} or {@code refused}
   * @param message what happened, in words
   */
  record ServerStatus(String status, String message) implements NodeEvent {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.serverStatus(this);
    }
  }

  /** The node stopped; the last event. */
  record Stopped() implements NodeEvent {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.stopped(this);
    }
  }

  /**
   * Something happened in a room: a message, an invitation, a membership change, a vote, or a
   * refused line. Text and names come from the network: neutralise them before showing.
   *
   * @param kind what happened: {@code message}, {@code invited}, {@code joined}, {@code changed},
   *     {@code proposal}, {@code passed} or {@code refused}
   * @param room the room id
   * @param roomName the room's name
   * @param from the nickname of the author or sender
   * @param fromId its peer id, or null
   * @param text the message text, or a description of the change
   */
  record RoomActivity(
      String kind, String room, String roomName, String from, String fromId, String text)
      implements NodeEvent {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.room(this);
    }
  }
}
