package io.parlance.bootstrap.cluster;

import io.parlance.bootstrap.registry.PeerEntry;
import io.parlance.bootstrap.registry.Registry;
import io.parlance.bootstrap.registry.RegistryListener;
import io.parlance.bootstrap.registry.RegistryPage;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * This server's copy of the cluster's registry, kept by the events every server publishes: lookups
 * and pages are answered from it at once, on the event loop, as from the in-memory registry. Only
 * {@link RedisCluster} changes it; registrations go through the cluster's claims, so {@link
 * #register} and {@link #unregister} are refused.
 */
final class ReplicaRegistry implements Registry {

  private final ConcurrentSkipListMap<String, PeerEntry> entries = new ConcurrentSkipListMap<>();
  private final List<RegistryListener> listeners = new CopyOnWriteArrayList<>();

  @Override
  public Outcome register(PeerEntry entry) {
    throw new UnsupportedOperationException("in a cluster, registrations go through its claims");
  }

  @Override
  public boolean unregister(PeerEntry entry) {
    throw new UnsupportedOperationException("in a cluster, registrations go through its claims");
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
    return entries.size();
  }

  @Override
  public void addListener(RegistryListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  /** Every entry, for a rebuild. */
  Map<String, PeerEntry> snapshot() {
    return Map.copyOf(entries);
  }

  /**
   * Applies a registration some server made.
   *
   * @param kind registered, replaced or displaced
   * @param entry the entry that holds the nickname now
   */
  synchronized void joined(String kind, PeerEntry entry) {
    PeerEntry previous = entries.put(entry.nickname(), entry);
    if (entry.equals(previous)) {
      return;
    }
    for (RegistryListener l : listeners) {
      if (previous == null) {
        l.onJoined(entry);
      } else if ("replaced".equals(kind)) {
        l.onReplaced(previous, entry);
      } else if ("displaced".equals(kind)) {
        l.onDisplaced(previous);
        l.onJoined(entry);
      } else {
        l.onLeft(previous);
        l.onJoined(entry);
      }
    }
  }

  /**
   * Applies the end of a registration, if this copy still has that one.
   *
   * @param entry the entry that ended
   */
  synchronized void left(PeerEntry entry) {
    PeerEntry held = entries.get(entry.nickname());
    if (held == null || !held.owner().equals(entry.owner())) {
      return;
    }
    entries.remove(entry.nickname(), held);
    for (RegistryListener l : listeners) {
      l.onLeft(held);
    }
  }

  /**
   * This server's registration lost its nickname to another (Redis lost it, another took it): its
   * connection is told, as a plain holder displaced by a keyed one is.
   *
   * @param mine the registration this server held
   */
  synchronized void lost(PeerEntry mine) {
    PeerEntry held = entries.get(mine.nickname());
    if (held != null && held.owner().equals(mine.owner())) {
      entries.remove(mine.nickname(), held);
    }
    for (RegistryListener l : listeners) {
      l.onDisplaced(mine);
    }
  }

  /** Drops everything without telling anyone (the server has no peers of its own left). */
  synchronized void clear() {
    entries.clear();
  }
}
