package io.parlance.client.node;

import io.parlance.client.delivery.Outbox;
import io.parlance.client.store.AsyncMessageStore;
import io.parlance.client.store.StoredMessage;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/** The history: a conversation's stored messages, and full-text search over all of them. */
final class History {

  private final PeerResolver resolver;
  private final AsyncMessageStore store;

  History(PeerResolver resolver, AsyncMessageStore store) {
    this.resolver = Objects.requireNonNull(resolver, "resolver");
    this.store = Objects.requireNonNull(store, "store");
  }

  /** See {@link PeerNode#history}. */
  CompletableFuture<List<StoredMessage>> history(String peer, int limit) {
    Objects.requireNonNull(peer, "peer");
    String key = peer;
    if (!PeerResolver.isPlainNickname(peer)) {
      try {
        key = Outbox.keyOf(resolver.resolve(peer));
      } catch (SendException e) {
        return CompletableFuture.failedFuture(e);
      }
    }
    return store.history(key, bound(limit)).thenApply(History::withoutRoomLines);
  }

  /** See {@link PeerNode#search}. */
  CompletableFuture<List<StoredMessage>> search(String text, int limit) {
    Objects.requireNonNull(text, "text");
    return store.search(text, bound(limit)).thenApply(History::withoutRoomLines);
  }

  /** Room lines ride the one-to-one outbox; they are not one-to-one history. */
  private static List<StoredMessage> withoutRoomLines(List<StoredMessage> messages) {
    return messages.stream()
        .filter(m -> !io.parlance.client.room.RoomEnvelope.isRoomLine(m.content()))
        .toList();
  }

  private static int bound(int limit) {
    return Math.max(1, Math.min(limit, PeerNode.MAX_HISTORY));
  }
}
