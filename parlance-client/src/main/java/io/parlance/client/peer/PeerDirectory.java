package io.parlance.client.peer;

import io.parlance.client.security.PeerId;
import io.parlance.protocol.LogLimiter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
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
 *
 * <p>Bounded, in all and per IP, so forged announces cannot grow it without end: a newcomer over a
 * bound takes the place of the least useful peer (unsigned before signed, never talked to before
 * talked to, then the longest unheard), and is refused if every peer in its way is more useful than
 * it. A signed peer we talked to is never dropped for a newcomer.
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
    /** Its discovery source removed it for another reason, or the directory was full. */
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
    REFRESHED,
    /** The address was new, but the directory was full of more useful peers: it was not added. */
    REFUSED
  }

  /** The default bound on the peers listed in all. */
  public static final int DEFAULT_MAX_PEERS = 4096;

  /** The default bound on the peers listed at one IP (many peers may share a host or a NAT). */
  public static final int DEFAULT_MAX_PEERS_PER_IP = 256;

  /**
   * Share of the directory dropped at once when it is full, so a flood costs one scan per batch.
   */
  private static final int EVICTION_BATCH_DIVISOR = 16;

  private static final LogLimiter CHANGES =
      new LogLimiter(50, Duration.ofSeconds(1), System::nanoTime);
  private static final LogLimiter FULL = new LogLimiter();

  private record Entry(Peer peer, long lastHeardNanos, boolean talkedTo) {

    /**
     * How useful the peer is to keep: a signed peer we talked to most, an unknown plain one least.
     */
    int usefulness() {
      return usefulness(peer, talkedTo);
    }

    static int usefulness(Peer peer, boolean talkedTo) {
      return (talkedTo ? 2 : 0) + (peer.id() != null ? 1 : 0);
    }

    boolean evictable() {
      return !(talkedTo && peer.id() != null);
    }
  }

  /** Least useful first, then the longest unheard. */
  private static final Comparator<Entry> EVICTION_ORDER =
      Comparator.comparingInt((Entry e) -> e.usefulness()).thenComparingLong(Entry::lastHeardNanos);

  private final Object lock = new Object();
  private final Map<InetSocketAddress, Entry> entries = new HashMap<>();

  /** The addresses listed at each IP, to apply the per-IP bound without a scan of all peers. */
  private final Map<InetAddress, Set<InetSocketAddress>> perIp = new HashMap<>();

  private final LongSupplier nanoClock;
  private final int maxPeers;
  private final int maxPeersPerIp;
  private volatile Listener listener;

  /** Public keys that signed announces proved, by id (rooms need a member's key), bounded. */
  private final Map<PeerId, String> keys =
      java.util.Collections.synchronizedMap(
          new java.util.LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<PeerId, String> eldest) {
              return size() > DEFAULT_MAX_PEERS;
            }
          });

  /** Creates an empty directory on the system clock, with the default bounds. */
  public PeerDirectory() {
    this(System::nanoTime);
  }

  /**
   * Creates an empty directory on the given clock, with the default bounds.
   *
   * @param nanoClock a monotonic clock in nanoseconds, as {@link System#nanoTime()}
   */
  public PeerDirectory(LongSupplier nanoClock) {
    this(nanoClock, DEFAULT_MAX_PEERS, DEFAULT_MAX_PEERS_PER_IP);
  }

  /**
   * Creates an empty directory on the system clock.
   *
   * @param maxPeers the most peers listed in all, at least 1
   * @param maxPeersPerIp the most peers listed at one IP, at least 1
   */
  public PeerDirectory(int maxPeers, int maxPeersPerIp) {
    this(System::nanoTime, maxPeers, maxPeersPerIp);
  }

  /**
   * Creates an empty directory.
   *
   * @param nanoClock a monotonic clock in nanoseconds, as {@link System#nanoTime()}
   * @param maxPeers the most peers listed in all, at least 1
   * @param maxPeersPerIp the most peers listed at one IP, at least 1
   */
  public PeerDirectory(LongSupplier nanoClock, int maxPeers, int maxPeersPerIp) {
    if (maxPeers < 1 || maxPeersPerIp < 1) {
      throw new IllegalArgumentException(
          "the peer list bounds must be at least 1: " + maxPeers + ", " + maxPeersPerIp);
    }
    this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
    this.maxPeers = maxPeers;
    this.maxPeersPerIp = maxPeersPerIp;
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
    List<Peer> evicted = List.of();
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
            uncount(e.getKey());
          }
        }
      }
      if (before == null) {
        evicted = makeRoom(peer, moved != null);
        if (evicted == null) {
          refused(peer);
          return Change.REFUSED;
        }
        perIp.computeIfAbsent(address.getAddress(), ip -> new HashSet<>()).add(address);
      }
      Peer kept =
          before != null
                  && before.peer().nickname().equals(nickname)
                  && Objects.equals(before.peer().id(), peer.id())
                  && before.peer().caps().equals(peer.caps())
              ? before.peer() // keep the first source of an address heard from two sources
              : peer;
      boolean talkedTo =
          before != null && before.talkedTo() && Objects.equals(before.peer().id(), peer.id());
      entries.put(address, new Entry(kept, nanoClock.getAsLong(), talkedTo));
    }
    if (moved != null) {
      notifyLeft(moved, LeaveReason.MOVED);
    }
    evicted.forEach(p -> notifyLeft(p, LeaveReason.REMOVED));
    Listener l = listener;
    if (before == null || !Objects.equals(before.peer().id(), peer.id())) {
      if (before != null) {
        notifyLeft(before.peer(), LeaveReason.REPLACED);
      }
      CHANGES.log(
          more ->
              LOG.info(
                  "Peer {} joined at {} via {}{}{}",
                  nickname,
                  peer.addressText(),
                  peer.source(),
                  peer.id() == null ? "" : " with id " + peer.id(),
                  more));
      if (l != null) {
        l.joined(peer);
      }
      return Change.JOINED;
    }
    if (!before.peer().nickname().equals(nickname)) {
      CHANGES.log(
          more -> LOG.info("Peer at {} is now called {}{}", peer.addressText(), nickname, more));
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
      if (removed != null) {
        uncount(address);
      }
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
                  uncount(p.address());
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
                  uncount(e.peer().address());
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
   * Tells whether a peer is listed at an IP address, or with an id; without the copy and sort of
   * {@link #peers()}, as it is asked for every accepted connection.
   *
   * @param ip the IP address, or null
   * @param id the id, or null
   * @return whether a listed peer has that IP address or that id
   */
  public boolean knows(InetAddress ip, PeerId id) {
    synchronized (lock) {
      if (ip != null && perIp.containsKey(ip)) {
        return true;
      }
      if (id != null) {
        for (Entry e : entries.values()) {
          if (id.equals(e.peer().id())) {
            return true;
          }
        }
      }
      return false;
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

  /**
   * Records that we talked to the peer at an address (we sent it a message), which keeps it, if it
   * proved an identity, from being dropped when the directory is full.
   *
   * @param address its message address
   */
  public void talkedTo(InetSocketAddress address) {
    synchronized (lock) {
      entries.computeIfPresent(address, (a, e) -> new Entry(e.peer(), e.lastHeardNanos(), true));
    }
  }

  /**
   * Remembers the public key a peer proved its id with (a signed announce).
   *
   * @param id the id
   * @param base64Key its Ed25519 key, base64 of the X.509 encoding
   */
  public void rememberKey(PeerId id, String base64Key) {
    keys.put(Objects.requireNonNull(id, "id"), Objects.requireNonNull(base64Key, "base64Key"));
  }

  /**
   * Returns the public key a peer proved its id with, if one was seen.
   *
   * @param id the id
   * @return the key, base64, or empty
   */
  public Optional<String> keyOf(PeerId id) {
    return Optional.ofNullable(keys.get(id));
  }

  /**
   * Records that we talked to the peer with an id (it proved the id on a connection and sent us a
   * message), which keeps it from being dropped when the directory is full.
   *
   * @param id its proven id
   */
  public void talkedTo(PeerId id) {
    Objects.requireNonNull(id, "id");
    synchronized (lock) {
      entries.replaceAll(
          (a, e) -> id.equals(e.peer().id()) ? new Entry(e.peer(), e.lastHeardNanos(), true) : e);
    }
  }

  /**
   * Makes room for a newcomer at a new address, under the lock: drops the least useful peers in its
   * way (at its IP if that is full, else a batch of the whole directory if that is full).
   *
   * @return the dropped peers, or null if the newcomer must be refused
   */
  private List<Peer> makeRoom(Peer newcomer, boolean freedOne) {
    InetAddress ip = newcomer.address().getAddress();
    int usefulness = Entry.usefulness(newcomer, false);
    List<Peer> dropped = new ArrayList<>();
    Set<InetSocketAddress> atIp = perIp.getOrDefault(ip, Set.of());
    if (atIp.size() >= maxPeersPerIp) {
      Entry victim = null;
      for (InetSocketAddress a : atIp) {
        Entry e = entries.get(a);
        if (e.evictable() && (victim == null || EVICTION_ORDER.compare(e, victim) < 0)) {
          victim = e;
        }
      }
      if (victim == null || victim.usefulness() > usefulness) {
        return null;
      }
      drop(victim, dropped);
    }
    if (entries.size() >= maxPeers && !freedOne) {
      int batch = Math.max(1, maxPeers / EVICTION_BATCH_DIVISOR);
      List<Entry> victims =
          entries.values().stream()
              .filter(e -> e.evictable() && e.usefulness() <= usefulness)
              .sorted(EVICTION_ORDER)
              .limit(batch)
              .toList();
      if (victims.isEmpty()) {
        return null;
      }
      victims.forEach(e -> drop(e, dropped));
    }
    if (!dropped.isEmpty()) {
      int count = dropped.size();
      FULL.log(
          more ->
              LOG.info(
                  "The peer list is full ({} in all, {} per IP): dropped {} least useful{}",
                  maxPeers,
                  maxPeersPerIp,
                  count,
                  more));
    }
    return dropped;
  }

  private void drop(Entry e, List<Peer> dropped) {
    entries.remove(e.peer().address());
    uncount(e.peer().address());
    dropped.add(e.peer());
  }

  private void refused(Peer peer) {
    FULL.log(
        more ->
            LOG.info(
                "The peer list is full ({} in all, {} per IP) of more useful peers: did not add {}"
                    + " at {}{}",
                maxPeers,
                maxPeersPerIp,
                peer.nickname(),
                peer.addressText(),
                more));
  }

  private void uncount(InetSocketAddress address) {
    Set<InetSocketAddress> atIp = perIp.get(address.getAddress());
    if (atIp != null && atIp.remove(address) && atIp.isEmpty()) {
      perIp.remove(address.getAddress());
    }
  }

  private void notifyLeft(Peer peer, LeaveReason reason) {
    CHANGES.log(
        more ->
            LOG.info(
                "Peer {} at {} left ({}){}",
                peer.nickname(),
                peer.addressText(),
                reason.name().toLowerCase(Locale.ROOT),
                more));
    Listener l = listener;
    if (l != null) {
      l.left(peer, reason);
    }
  }
}
