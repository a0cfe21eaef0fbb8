package io.parlance.client.peer;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The peers we know, keyed by address ({@code ip:port}), each with the time it was last heard of.
 *
 * <p>Any discovery source (LAN multicast, a bootstrap server) feeds it through {@link #upsert},
 * {@link #remove} and {@link #expire}; the directory tells its {@link Listener} about joins,
 * renames and leaves. Thread-safe; the listener is called outside the lock, in the caller's thread,
 * so it must not block.
 */
public final class PeerDirectory {

  private static final Logger LOG = LoggerFactory.getLogger(PeerDirectory.class);

  private static final Comparator<Peer> ORDER =
      Comparator.comparing(Peer::nickname).thenComparing(Peer::addressText);

  /** Why a peer left the directory. */
  public enum LeaveReason {
    /** It said goodbye. */
    GOODBYE,
    /** Its identity was heard at another address, which replaces this one. */
    MOVED,
    /** Another identity (or none) now answers at its address. */
    REPLACED,
    /** It was not heard of for longer than the timeout. */
    TIMEOUT,
    /** Its discovery source removed it for another reason. */
    REMOVED
  }

  /** What the directory tells about changes; called in the thread that made the change. */
  public interface Listener {
    /**
     * A new peer appeared.
     *
     * @param peer the peer
     */
    void joined(Peer peer);

    /**
     * A known address now announces another nickname.
     *
     * @param before the peer as it was
     * @param after the peer as it is now
     */
    void renamed(Peer before, Peer after);

    /**
     * A peer left.
     *
     * @param peer the peer
     * @param reason why
     */
    void left(Peer peer, LeaveReason reason);
  }

  /** What {@link #upsert} did. */
  public enum Change {
    /** The address was new. */
    JOINED,
    /** The address was known under another nickname. */
    RENAMED,
    /** The address was known; only its last-heard time changed. */
    REFRESHED
  }

  private record Entry(Peer peer, long lastHeardNanos) {}

  private final Object lock = new Object();
  private final java.util.Map<InetSocketAddress, Entry> entries = new java.util.HashMap<>();
  private final LongSupplier nanoClock;
  private volatile Listener listener;

  /** Creates an empty directory on the system clock. */
  public PeerDirectory() {
    this(System::nanoTime);
  }

  /**
   * Creates an empty directory on the given clock.
   *
   * @param nanoClock a monotonic clock in nanoseconds, as {@link System#nanoTime()}
   */
  public PeerDirectory(LongSupplier nanoClock) {
    this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
    this.listener = null;
  }

  /**
   * Sets who hears of changes.
   *
   * @param listener the listener, or null for none
   */
  public void listener(Listener listener) {
    this.listener = listener;
  }

  /**
   * Records that a peer was heard of now.
   *
   * @param nickname its nickname
   * @param address its message address
   * @param source how we heard of it, e.g. {@link Peer#LAN}
   * @return what changed
   */
  public Change upsert(String nickname, InetSocketAddress address, String source) {
    return upsert(new Peer(nickname, address, source));
  }

  /**
   * Records that a peer was heard of now, with whatever identity and extensions it proved.
   *
   * @param peer the peer as just heard of
   * @return what changed
   */
  public Change upsert(Peer peer) {
    String nickname = peer.nickname();
    InetSocketAddress address = peer.address();
    Entry before;
    Peer moved = null;
    synchronized (lock) {
      before = entries.get(address);
      if (before != null && before.peer().id() != null && peer.id() == null) {
        // An unsigned announce cannot strip a proven identity (a spoofed downgrade, or a plain
        // peer that took the port): it is ignored, and the signed peer expires if it went away.
        return Change.REFRESHED;
      }
      if (peer.id() != null && (before == null || !peer.id().equals(before.peer().id()))) {
        // Keyed by id: the same identity heard at a new address has moved there. An id is held
        // by one address at most, so an announce repeated from the same address (the common case)
        // needs no scan of the directory.
        var it = entries.entrySet().iterator();
        while (it.hasNext()) {
          var e = it.next();
          if (peer.id().equals(e.getValue().peer().id()) && !e.getKey().equals(address)) {
            moved = e.getValue().peer();
            it.remove();
          }
        }
      }
      Peer kept =
          before != null
                  && before.peer().nickname().equals(nickname)
                  && Objects.equals(before.peer().id(), peer.id())
                  && before.peer().caps().equals(peer.caps())
              ? before.peer() // keep the first source of an address heard from two sources
              : peer;
      entries.put(address, new Entry(kept, nanoClock.getAsLong()));
    }
    if (moved != null) {
      notifyLeft(moved, LeaveReason.MOVED);
    }
    Listener l = listener;
    if (before == null || !Objects.equals(before.peer().id(), peer.id())) {
      if (before != null) {
        notifyLeft(before.peer(), LeaveReason.REPLACED);
      }
      LOG.info(
          "Peer {} joined at {} via {}{}",
          nickname,
          peer.addressText(),
          peer.source(),
          peer.id() == null ? "" : " with id " + peer.id());
      if (l != null) {
        l.joined(peer);
      }
      return Change.JOINED;
    }
    if (!before.peer().nickname().equals(nickname)) {
      LOG.info("Peer at {} is now called {}", peer.addressText(), nickname);
      if (l != null) {
        l.renamed(before.peer(), peer);
      }
      return Change.RENAMED;
    }
    return Change.REFRESHED;
  }

  /**
   * Removes the peer at an address.
   *
   * @param address its message address
   * @param reason why it is removed
   * @return the removed peer, or empty if the address was unknown
   */
  public Optional<Peer> remove(InetSocketAddress address, LeaveReason reason) {
    Entry removed;
    synchronized (lock) {
      removed = entries.remove(address);
    }
    if (removed == null) {
      return Optional.empty();
    }
    notifyLeft(removed.peer(), reason);
    return Optional.of(removed.peer());
  }

  /**
   * Removes the peers of one source whose nickname and IP match, as when a goodbye arrives, which
   * names no port.
   *
   * @param nickname the nickname
   * @param ip the IP the goodbye came from
   * @param source the source, e.g. {@link Peer#LAN}
   * @return the removed peers
   */
  public List<Peer> removeByNickname(String nickname, InetAddress ip, String source) {
    List<Peer> removed = new ArrayList<>();
    synchronized (lock) {
      entries
          .values()
          .removeIf(
              e -> {
                Peer p = e.peer();
                boolean match =
                    p.nickname().equals(nickname)
                        && p.source().equals(source)
                        && ip.equals(p.address().getAddress());
                if (match) {
                  removed.add(p);
                }
                return match;
              });
    }
    removed.forEach(p -> notifyLeft(p, LeaveReason.GOODBYE));
    return removed;
  }

  /**
   * Removes the peers of one source not heard of for longer than a timeout.
   *
   * @param source the source whose peers to check
   * @param timeout how long a peer may stay silent
   * @return the removed peers
   */
  public List<Peer> expire(String source, Duration timeout) {
    long now = nanoClock.getAsLong();
    long limit = timeout.toNanos();
    List<Peer> removed = new ArrayList<>();
    synchronized (lock) {
      entries
          .values()
          .removeIf(
              e -> {
                boolean stale =
                    e.peer().source().equals(source) && now - e.lastHeardNanos() > limit;
                if (stale) {
                  removed.add(e.peer());
                }
                return stale;
              });
    }
    removed.forEach(p -> notifyLeft(p, LeaveReason.TIMEOUT));
    return removed;
  }

  /**
   * Returns the peer at an address.
   *
   * @param address the message address
   * @return the peer, or empty
   */
  public Optional<Peer> get(InetSocketAddress address) {
    synchronized (lock) {
      Entry e = entries.get(address);
      return e == null ? Optional.empty() : Optional.of(e.peer());
    }
  }

  /**
   * Returns the peers with a nickname, ordered by address.
   *
   * @param nickname the nickname
   * @return the peers, possibly several
   */
  public List<Peer> byNickname(String nickname) {
    // Called for every message received: no copy and sort of the whole directory.
    List<Peer> found = new ArrayList<>(1);
    synchronized (lock) {
      for (Entry e : entries.values()) {
        if (e.peer().nickname().equals(nickname)) {
          found.add(e.peer());
        }
      }
    }
    found.sort(ORDER);
    return List.copyOf(found);
  }

  /**
   * Returns a snapshot of all peers, ordered by nickname, then address.
   *
   * @return the peers
   */
  public List<Peer> peers() {
    List<Peer> all;
    synchronized (lock) {
      all = new ArrayList<>(entries.size());
      entries.values().forEach(e -> all.add(e.peer()));
    }
    all.sort(ORDER);
    return List.copyOf(all);
  }

  /**
   * Returns how many peers are known.
   *
   * @return the count
   */
  public int size() {
    synchronized (lock) {
      return entries.size();
    }
  }

  private void notifyLeft(Peer peer, LeaveReason reason) {
    LOG.info(
        "Peer {} at {} left ({})",
        peer.nickname(),
        peer.addressText(),
        reason.name().toLowerCase());
    Listener l = listener;
    if (l != null) {
      l.left(peer, reason);
    }
  }
}
