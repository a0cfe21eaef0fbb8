package io.parlance.client.delivery;

import io.netty.util.concurrent.EventExecutorGroup;
import io.parlance.client.messaging.AckListener;
import io.parlance.client.peer.Peer;
import io.parlance.client.store.AsyncMessageStore;
import io.parlance.client.store.MessageStore;
import io.parlance.client.store.StoredMessage;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reliable delivery of our messages: every message is stored in the on-disk outbox before it is
 * sent and leaves it only when the peer acknowledged it (or, for a plain peer that cannot, once it
 * is written).
 *
 * <p>One {@link PeerSender} per conversation key sends that peer's messages in order, with up to
 * {@link Settings#window()} unacknowledged messages on the wire; it re-sends from the oldest
 * unacknowledged one after a timeout or a broken connection, with exponential backoff and jitter,
 * and at once when the peer is seen again. The node tells the outbox when peers come and go ({@link
 * #peerPresent}, {@link #peerAbsent}); the connection pool hands it acknowledgements ({@link
 * #acked}). Nothing here blocks: disk work runs on the store's thread, the rest on event loops.
 */
public final class Outbox implements AckListener, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Outbox.class);

  /**
   * How the senders pace themselves.
   *
   * @param window the most unacknowledged messages on the wire to one peer
   * @param memoryLimit the most of one peer's outbox held in memory; the rest is read in pages
   * @param ackTimeout how long to wait for an acknowledgement before sending again (doubled after
   *     each timeout in a row, up to {@code maxRetryDelay})
   * @param maxRetryDelay the longest wait between two attempts
   * @param linesPerSecond the most lines written to one peer in a second
   */
  public record Settings(
      int window,
      int memoryLimit,
      Duration ackTimeout,
      Duration maxRetryDelay,
      int linesPerSecond) {

    /** Checks the bounds. */
    public Settings {
      if (window < 1 || memoryLimit < window) {
        throw new IllegalArgumentException(
            "need 1 <= window <= memoryLimit: " + window + ", " + memoryLimit);
      }
      Objects.requireNonNull(ackTimeout, "ackTimeout");
      Objects.requireNonNull(maxRetryDelay, "maxRetryDelay");
      if (linesPerSecond < 1) {
        throw new IllegalArgumentException("linesPerSecond must be positive: " + linesPerSecond);
      }
    }
  }

  private final AsyncMessageStore store;
  private final PeerConnections connections;
  private final EventExecutorGroup loops;
  private final Settings settings;
  private final Supplier<String> ourNickname;
  private final DeliveryListener listener;
  private final Map<String, PeerSender> senders = new ConcurrentHashMap<>();
  private final Map<String, PeerSender> waiting = new ConcurrentHashMap<>();
  private volatile boolean closed;

  /**
   * Creates the outbox; it starts sending when {@link #peerPresent} names a peer with messages.
   *
   * @param store the message store
   * @param connections how lines reach a peer
   * @param loops the event loops the senders run on (not owned)
   * @param settings how the senders pace themselves
   * @param ourNickname our current nickname, for the lines' {@code from}
   * @param listener who hears of state changes
   */
  public Outbox(
      AsyncMessageStore store,
      PeerConnections connections,
      EventExecutorGroup loops,
      Settings settings,
      Supplier<String> ourNickname,
      DeliveryListener listener) {
    this.store = Objects.requireNonNull(store, "store");
    this.connections = Objects.requireNonNull(connections, "connections");
    this.loops = Objects.requireNonNull(loops, "loops");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.ourNickname = Objects.requireNonNull(ourNickname, "ourNickname");
    this.listener = Objects.requireNonNull(listener, "listener");
  }

  /**
   * Returns the key a peer's conversation is filed under: its proven id, or its nickname for a
   * plain peer.
   *
   * @param peer the peer
   * @return the key
   */
  public static String keyOf(Peer peer) {
    return peer.id() != null ? peer.id().value() : peer.nickname();
  }

  /**
   * Stores a message in the outbox and sends it when its turn comes.
   *
   * @param key the conversation's key
   * @param nickname the recipient's nickname
   * @param peer the recipient if it is online now, else null (the message waits until it is)
   * @param text the message
   * @param timestamp the send time, Unix seconds
   * @return completes once the first attempt settled: written, or kept in the outbox (with why);
   *     fails with a {@link io.parlance.client.store.StoreException} if it could not be stored
   */
  public CompletableFuture<Outgoing> submit(
      String key, String nickname, @Nullable Peer peer, String text, long timestamp) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(nickname, "nickname");
    Objects.requireNonNull(text, "text");
    CompletableFuture<Outgoing> outcome = new CompletableFuture<>();
    PeerSender sender = senderFor(key, nickname, peer);
    store.submit(
        s -> s.enqueue(key, nickname, text, timestamp),
        (message, error) -> {
          if (error != null) {
            outcome.completeExceptionally(error);
            return;
          }
          listener.queued(message);
          if (!sender.run(() -> sender.submitted(message, outcome))) {
            outcome.complete(
                PeerSender.outgoing(
                    message, key, null, "the node stopped; it is sent at the next" + " start"));
          }
        });
    return outcome;
  }

  /** The sender of a conversation, told of the peer if it is online and news to the sender. */
  private PeerSender senderFor(String key, String nickname, @Nullable Peer peer) {
    PeerSender sender = sender(key, nickname);
    if (peer != null && !sender.knows(peer)) {
      // Only when it is news to the sender: one task less per message in a burst to one peer.
      sender.run(() -> sender.present(peer, false));
    }
    return sender;
  }

  /**
   * One recipient of {@link #submitAll}.
   *
   * @param key the conversation's key
   * @param nickname the recipient's nickname
   * @param peer the recipient if it is online now, else null (the message waits until it is)
   */
  public record Recipient(String key, String nickname, @Nullable Peer peer) {
    public Recipient {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(nickname, "nickname");
    }
  }

  /**
   * Stores one message for several recipients in one call to the store (a room line: one copy per
   * member, the text itself stored once, see {@link MessageStore#enqueueAll}), then sends each copy
   * when its turn comes, as {@link #submit} does for one.
   *
   * @param recipients who gets a copy
   * @param text the message
   * @param timestamp the send time, Unix seconds
   * @return completes once every copy was stored (with them, in the order of {@code recipients});
   *     fails with a {@link io.parlance.client.store.StoreException} if they could not be stored,
   *     and then none was
   */
  public CompletableFuture<List<StoredMessage>> submitAll(
      List<Recipient> recipients, String text, long timestamp) {
    Objects.requireNonNull(text, "text");
    List<Recipient> all = List.copyOf(recipients);
    List<PeerSender> senders = new ArrayList<>(all.size());
    for (Recipient r : all) {
      senders.add(senderFor(r.key(), r.nickname(), r.peer()));
    }
    CompletableFuture<List<StoredMessage>> stored = new CompletableFuture<>();
    List<MessageStore.Addressee> addressees =
        all.stream().map(r -> new MessageStore.Addressee(r.key(), r.nickname())).toList();
    store.submit(
        s -> s.enqueueAll(addressees, text, timestamp),
        (copies, error) -> {
          if (error != null) {
            stored.completeExceptionally(error);
            return;
          }
          for (int i = 0; i < copies.size(); i++) {
            StoredMessage message = copies.get(i);
            PeerSender sender = senders.get(i);
            listener.queued(message);
            sender.run(() -> sender.submitted(message, new CompletableFuture<>()));
          }
          stored.complete(copies);
        });
    return stored;
  }

  /**
   * A peer is online (it joined, or changed its nickname): its messages go out now, and at once if
   * they were waiting for a retry.
   *
   * @param peer the peer
   */
  public void peerPresent(Peer peer) {
    if (closed) {
      return;
    }
    PeerSender sender = sender(keyOf(peer), peer.nickname());
    sender.run(() -> sender.present(peer, true));
  }

  /**
   * A peer left: its messages stay in the outbox until it is back.
   *
   * @param peer the peer
   */
  public void peerAbsent(Peer peer) {
    PeerSender sender = senders.get(keyOf(peer));
    if (sender != null) {
      sender.run(() -> sender.absent(peer));
    }
  }

  @Override
  public boolean acked(@Nullable InetSocketAddress from, String id) {
    PeerSender sender = waiting.get(id);
    if (sender == null) {
      return false;
    }
    InetSocketAddress expected = sender.address();
    if (expected == null || !expected.equals(from)) {
      return false; // only the peer a message went to may acknowledge it
    }
    if (sender.loop.inEventLoop()) {
      sender.ack(id); // read on the sender's own loop: no hand-off
      return true;
    }
    return sender.run(() -> sender.ack(id));
  }

  /**
   * Stops sending; messages not yet acknowledged stay in the store for the next start. Must not be
   * called on an event loop.
   */
  @Override
  public void close() {
    closed = true;
    for (PeerSender sender : senders.values()) {
      try {
        sender.loop.submit(sender::close).await(1, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (java.util.concurrent.RejectedExecutionException e) {
        LOG.debug("The sender to {} stopped with its event loop", sender.key);
      }
    }
  }

  private PeerSender sender(String key, String nickname) {
    return senders.computeIfAbsent(key, k -> new PeerSender(this, k, nickname, loops.next()));
  }

  /**
   * Returns how many pages of a conversation's outbox its sender read from the store, for tests.
   *
   * @param key the conversation's key
   * @return the count, 0 if it has no sender
   */
  long pagesRead(String key) {
    PeerSender sender = senders.get(key);
    if (sender == null) {
      return 0;
    }
    try {
      return sender.loop.submit(sender::pagesRead).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    } catch (java.util.concurrent.ExecutionException e) {
      return -1;
    }
  }

  boolean closed() {
    return closed;
  }

  AsyncMessageStore store() {
    return store;
  }

  PeerConnections connections() {
    return connections;
  }

  Settings settings() {
    return settings;
  }

  String ourNickname() {
    return ourNickname.get();
  }

  DeliveryListener listener() {
    return listener;
  }

  void waitFor(String id, PeerSender sender) {
    waiting.put(id, sender);
  }

  void forget(String id, PeerSender sender) {
    waiting.remove(id, sender);
  }
}
