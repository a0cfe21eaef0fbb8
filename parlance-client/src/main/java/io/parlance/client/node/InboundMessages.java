package io.parlance.client.node;

import io.parlance.client.delivery.Receiver;
import io.parlance.client.messaging.InboundMessage;
import io.parlance.client.messaging.InboundRefusals;
import io.parlance.client.messaging.InboundSink;
import io.parlance.client.peer.Peer;
import io.parlance.client.peer.PeerDirectory;
import io.parlance.client.security.PeerId;
import io.parlance.client.store.AsyncMessageStore;
import io.parlance.protocol.wire.ChatLine;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Received messages: refuses those the trust policy forbids, attributes the rest to a sender (the
 * id it proved, or the one listed peer of that nickname at that IP), has the {@link Receiver} store
 * and acknowledge them, and publishes each new one.
 */
final class InboundMessages implements InboundSink {

  private static final Logger LOG = LoggerFactory.getLogger(InboundMessages.class);

  private final PeerDirectory directory;
  private final TrustPolicy policy;
  private final EventDispatcher events;
  private final Receiver receiver;
  private volatile Rooms rooms;

  InboundMessages(
      AsyncMessageStore store,
      PeerDirectory directory,
      TrustPolicy policy,
      EventDispatcher events,
      Consumer<String> problem) {
    this.directory = Objects.requireNonNull(directory, "directory");
    this.policy = Objects.requireNonNull(policy, "policy");
    this.events = Objects.requireNonNull(events, "events");
    this.receiver = new Receiver(store, this::senderKey, this::show, problem);
  }

  /** Room lines go to the rooms from now on (before, they are stored as one-to-one text). */
  void rooms(Rooms r) {
    this.rooms = r;
  }

  @Override
  public CompletionStage<Outcome> received(InboundMessage message) {
    ChatLine line = message.line();
    PeerId proven = message.proven();
    Rooms r = rooms;
    if (r != null && io.parlance.client.room.RoomEnvelope.isRoomLine(line.content())) {
      if (proven != null && policy.refusal(line.from(), proven) != null) {
        return Outcome.NOTHING.now(); // a changed key: refused as for any line, below
      }
      return r.received(proven, line.from(), line.content());
    }
    if (proven != null) {
      // Refused before it is stored or acknowledged: a sender whose key changed keeps it in its
      // outbox, and it arrives once the user trusts the new key.
      String refusal = policy.refusal(line.from(), proven);
      if (refusal != null) {
        LOG.warn(
            "[{}] Refused a message from {}: {}", message.connection(), message.remote(), refusal);
        events.publish(
            new NodeEvent.MessageRejected(line.from(), String.valueOf(message.remote()), refusal));
        return Outcome.NOTHING.now();
      }
      policy.confirm(line.from(), proven);
      directory.talkedTo(proven); // a peer we talk to keeps its place in a full directory
    }
    return receiver.received(message);
  }

  /**
   * A room line came through the mailbox, sealed to us and signed inside by {@code proven}; it is
   * refused as a direct line from that sender would be (a changed key), else handed to the rooms,
   * which verify its author and drop a copy that also came directly or by sync.
   *
   * @param proven the sender's id, proven by its signature inside the seal
   * @param from its nickname, as it signed it
   * @param content the room line's carrier text
   * @return null if it is no room line (one-to-one mail); else completes once it is stored, with
   *     whether to acknowledge it
   */
  CompletionStage<Boolean> receivedByMail(PeerId proven, String from, String content) {
    Rooms r = rooms;
    if (r == null || !io.parlance.client.room.RoomEnvelope.isRoomLine(content)) {
      return null;
    }
    String refusal = policy.refusal(from, proven);
    if (refusal != null) {
      LOG.warn("Refused a room line from {} that came through the mailbox: {}", from, refusal);
      events.publish(new NodeEvent.MessageRejected(from, MailboxEvents.MAILBOX_ADDRESS, refusal));
      return java.util.concurrent.CompletableFuture.completedFuture(false);
    }
    return r.received(proven, from, content).thenApply(outcome -> outcome == Outcome.ACKNOWLEDGE);
  }

  /**
   * Tells the listener whether a connection comes from a peer in the directory: one that proved an
   * id the directory lists, or one from the IP address of a listed peer. Called on event loops.
   */
  boolean isKnown(SocketAddress remote, PeerId proven) {
    return directory.knows(remote instanceof InetSocketAddress a ? a.getAddress() : null, proven);
  }

  /** Tells the user of a line dropped unread: who sent it, its size and why. */
  void refused(InboundRefusals.Refusal refusal, String connection) {
    // Only the line's own first bytes name its sender: the peers known at the same IP address
    // (several peers, or a stranger, may share it) would be a guess.
    String from = refusal.from();
    InetSocketAddress remote =
        refusal.address() instanceof InetSocketAddress a ? a : new InetSocketAddress(0);
    LOG.warn(
        "[{}] Dropped a line of {}{} bytes from {} ({}): {}",
        connection,
        refusal.atLeast() ? "at least " : "",
        refusal.bytes(),
        refusal.address(),
        from == null ? "sender unknown" : from,
        refusal.reason());
    events.publish(
        new NodeEvent.LineRefused(from, Peer.format(remote), refusal.bytes(), refusal.reason()));
  }

  /**
   * Returns the conversation key of a line's sender: the id it proved over TLS; else its nickname,
   * the key of a plain conversation. A line that proved nothing is never filed under a peer's id,
   * not even when it comes from that peer's IP address: anyone can send a plain line with any
   * {@code from} (issue 22, item 5).
   */
  private String senderKey(InboundMessage message) {
    if (message.proven() != null) {
      return message.proven().value();
    }
    return message.line().from();
  }

  /** Publishes a new message, once it is stored. */
  private void show(InboundMessage message) {
    ChatLine line = message.line();
    PeerId proven = message.proven();
    String address =
        message.remote() instanceof InetSocketAddress remote
            ? senderAddress(line.from(), remote, proven)
            : String.valueOf(message.remote());
    boolean unpinned = proven != null && !policy.isPinned(line.from(), proven);
    boolean shared = directory.byNickname(line.from()).size() > 1;
    String sender =
        proven != null && (unpinned || shared)
            ? line.from() + "#" + proven.shortForm()
            : line.from();
    events.publish(
        new NodeEvent.MessageReceived(
            line.from(), line.content(), line.timestamp(), address, proven, sender, unpinned));
  }

  /**
   * Returns the address of the one listed peer with the sender's nickname on the connection's IP,
   * or, if there is no such peer or several, the connection's own address. Runs for every message.
   */
  private String senderAddress(String nick, InetSocketAddress remote, PeerId proven) {
    Peer match = null;
    for (Peer p : directory.byNickname(nick)) {
      if (p.address().getAddress().equals(remote.getAddress())
          && (proven == null || proven.equals(p.id()))) {
        if (match != null) {
          return Peer.format(remote);
        }
        match = p;
      }
    }
    return match != null ? match.addressText() : Peer.format(remote);
  }
}
