package io.parlance.client.node;

import io.parlance.client.delivery.Outbox;
import io.parlance.client.delivery.Outgoing;
import io.parlance.client.peer.Peer;
import io.parlance.client.peer.PeerDirectory;
import io.parlance.client.security.PeerId;
import io.parlance.client.store.AsyncMessageStore;
import io.parlance.client.store.DeliveryState;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The send path: validates a message, resolves its recipient, checks the trust policy, and hands it
 * to the outbox, publishing {@link NodeEvent.SendFailed} when it cannot go.
 */
final class Messenger {

  private static final Logger LOG = LoggerFactory.getLogger(Messenger.class);

  private final PeerDirectory directory;
  private final PeerResolver resolver;
  private final TrustPolicy policy;
  private final Outbox outbox;
  private final AsyncMessageStore store;
  private final EventDispatcher events;
  private final BooleanSupplier running;
  private final Function<String, CompletableFuture<List<String>>> roomMembers;

  Messenger(
      PeerDirectory directory,
      PeerResolver resolver,
      TrustPolicy policy,
      Outbox outbox,
      AsyncMessageStore store,
      EventDispatcher events,
      BooleanSupplier running,
      Function<String, CompletableFuture<List<String>>> roomMembers) {
    this.directory = Objects.requireNonNull(directory, "directory");
    this.resolver = Objects.requireNonNull(resolver, "resolver");
    this.policy = Objects.requireNonNull(policy, "policy");
    this.outbox = Objects.requireNonNull(outbox, "outbox");
    this.store = Objects.requireNonNull(store, "store");
    this.events = Objects.requireNonNull(events, "events");
    this.running = Objects.requireNonNull(running, "running");
    this.roomMembers = Objects.requireNonNull(roomMembers, "roomMembers");
  }

  /** See {@link PeerNode#send(String, String)}. */
  CompletableFuture<Outgoing> send(String target, String text) {
    Peer peer;
    try {
      requireRunning();
      MessageCheck.check(text);
      if (PeerResolver.isPlainNickname(target)) {
        List<PeerId> pins = policy.remembered(target);
        if (!pins.isEmpty()) {
          // A nickname pinned to a key goes only to a peer proving that key, never silently to a
          // plain peer or another key that took the name (issue 22: a plain announce was enough).
          Peer pinned = TrustPolicy.pinnedChoice(target, pins, directory.byNickname(target));
          return pinned != null ? send(pinned, target, text) : sendToPinned(target, pins, text);
        }
      }
      peer = resolver.resolve(target);
    } catch (SendException e) {
      if (e.reason() == SendException.Reason.UNKNOWN_PEER && PeerResolver.isPlainNickname(target)) {
        return sendToKnown(target, text);
      }
      return failed(target, e);
    }
    return send(peer, target, text);
  }

  /** See {@link PeerNode#send(Peer, String)}. */
  CompletableFuture<Outgoing> send(Peer peer, String text) {
    return send(peer, peer.nickname(), text);
  }

  private CompletableFuture<Outgoing> send(Peer peer, String target, String text) {
    return submit(Outbox.keyOf(peer), peer.nickname(), peer, target, text);
  }

  /**
   * A nickname not online now: queued if a conversation with it is stored, or if one member of our
   * rooms has it, else an error.
   */
  private CompletableFuture<Outgoing> sendToKnown(String nick, String text) {
    return store
        .submit(s -> s.keyForNickname(nick))
        .exceptionally(error -> Optional.empty())
        .thenCompose(
            key -> {
              if (key.isPresent()) {
                return submit(key.get(), nick, null, nick, text);
              }
              return roomMembers
                  .apply(nick)
                  .exceptionally(error -> List.of())
                  .thenCompose(ids -> sendToRoomMember(nick, ids, text));
            });
  }

  private CompletableFuture<Outgoing> sendToRoomMember(String nick, List<String> ids, String text) {
    if (ids.size() == 1) {
      return submit(ids.get(0), nick, null, nick, text);
    }
    if (ids.isEmpty()) {
      return failed(
          nick,
          new SendException(
              SendException.Reason.UNKNOWN_PEER,
              "no peer called " + nick + " is online or known from earlier messages"));
    }
    return failed(
        nick,
        new SendException(
            SendException.Reason.AMBIGUOUS_NICKNAME,
            ids.size()
                + " members of your rooms are called "
                + nick
                + "; write to one by its id ("
                + String.join(", ", ids)
                + ")"));
  }

  /**
   * A pinned nickname no peer online has: queued for the pinned key (the most recent conversation
   * among the pinned keys, else the first pin), never for a plain conversation of that nickname,
   * which a plain announce could then claim.
   */
  private CompletableFuture<Outgoing> sendToPinned(String nick, List<PeerId> pins, String text) {
    List<String> pinKeys = pins.stream().map(PeerId::value).toList();
    return store
        .submit(s -> s.keysForNickname(nick))
        .exceptionally(error -> List.of())
        .thenCompose(
            keys -> {
              String key =
                  keys.stream().filter(pinKeys::contains).findFirst().orElse(pinKeys.get(0));
              return submit(key, nick, null, nick, text);
            });
  }

  private CompletableFuture<Outgoing> submit(
      String key, String nick, Peer peer, String target, String text) {
    try {
      requireRunning();
      MessageCheck.check(text);
    } catch (SendException e) {
      return failed(target, e);
    }
    if (peer != null) {
      try {
        policy.securityFor(peer);
      } catch (SendException e) {
        LOG.warn("Not sending to {}: {}", peer.qualifiedName(), e.getMessage());
        return failed(target, e);
      }
      if (peer.id() != null) {
        policy.confirm(peer.nickname(), peer.id());
      }
    }
    return outbox
        .submit(key, nick, peer, text, System.currentTimeMillis() / 1000)
        .handle(
            (outgoing, error) -> {
              if (error == null) {
                if (outgoing.state() == DeliveryState.QUEUED) {
                  LOG.info("Queued a message to {}: {}", nick, outgoing.note());
                }
                return outgoing;
              }
              Throwable cause = unwrap(error);
              SendException e =
                  new SendException(
                      SendException.Reason.FAILED,
                      "cannot keep the message to " + nick + ": " + cause.getMessage(),
                      List.of(),
                      cause);
              LOG.warn("Cannot send to {}: {}", nick, e.getMessage());
              events.publish(new NodeEvent.SendFailed(target, e));
              throw new CompletionException(e);
            });
  }

  /** See {@link PeerNode#broadcast(String)}. */
  CompletableFuture<List<Outgoing>> broadcast(String text) {
    List<Peer> peers = directory.peers();
    if (peers.isEmpty()) {
      return failed(
          "everyone", new SendException(SendException.Reason.NO_PEERS, "no peer is online"));
    }
    List<CompletableFuture<Outgoing>> sends = new ArrayList<>();
    for (Peer peer : peers) {
      sends.add(send(peer, peer.qualifiedName(), text));
    }
    return CompletableFuture.allOf(
            sends.stream().map(f -> f.exceptionally(e -> null)).toArray(CompletableFuture[]::new))
        .thenApply(
            ignored -> sends.stream().map(f -> f.getNow(null)).filter(Objects::nonNull).toList());
  }

  private void requireRunning() throws SendException {
    if (!running.getAsBoolean()) {
      throw notRunning();
    }
  }

  /**
   * Returns the error of a node that is not running.
   *
   * @return the error
   */
  static SendException notRunning() {
    return new SendException(SendException.Reason.NOT_RUNNING, "the node is not running");
  }

  /** Publishes a send that failed, and fails with it. */
  private <T> CompletableFuture<T> failed(String target, SendException e) {
    events.publish(new NodeEvent.SendFailed(target, e));
    return CompletableFuture.failedFuture(e);
  }

  private static Throwable unwrap(Throwable error) {
    return error instanceof CompletionException && error.getCause() != null
        ? error.getCause()
        : error;
  }
}
