package io.parlance.bootstrap.registry;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A registry held in this process: a concurrent sorted map from nickname to registration, so
 * lookups are O(log n) and a page after a cursor is O(log n + page size), whatever the size.
 */
public final class InMemoryRegistry implements Registry {

  private final ConcurrentSkipListMap<String, PeerEntry> entries = new ConcurrentSkipListMap<>();
  private final AtomicLong size = new AtomicLong();
  private final List<RegistryListener> listeners = new CopyOnWriteArrayList<>();

  @Override
  public Outcome register(PeerEntry entry) {
    Objects.requireNonNull(entry, "entry");
    while (true) {
      PeerEntry held = entries.putIfAbsent(entry.nickname(), entry);
      if (held == null) {
        size.incrementAndGet();
        for (RegistryListener listener : listeners) {
          listener.onJoined(entry);
        }
        return Outcome.REGISTERED;
      }
      if (entry.id() == null || !entry.id().equals(held.id())) {
        return Outcome.TAKEN;
      }
      if (entries.replace(entry.nickname(), held, entry)) {
        for (RegistryListener listener : listeners) {
          listener.onReplaced(held, entry);
        }
        return Outcome.REPLACED;
      }
      // The holder left or changed meanwhile: look again.
    }
  }

  @Override
  public boolean unregister(PeerEntry entry) {
    Objects.requireNonNull(entry, "entry");
    if (!entries.remove(entry.nickname(), entry)) {
      return false;
    }
    size.decrementAndGet();
    for (RegistryListener listener : listeners) {
      listener.onLeft(entry);
    }
    return true;
  }

  @Override
  public Optional<PeerEntry> lookup(String nickname) {
    return Optional.ofNullable(entries.get(Objects.requireNonNull(nickname, "nickname")));
  }

  @Override
  public RegistryPage list(String after, int limit) {
    return RegistryPage.of(entries, after, limit);
  }

  @Override
  public long size() {
    return size.get();
  }

  @Override
  public void addListener(RegistryListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }
}
