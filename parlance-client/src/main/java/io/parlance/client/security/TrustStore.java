package io.parlance.client.security;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trust on first use, as SSH does for hosts: the first id seen for a nickname is remembered, and a
 * different id later under that nickname is refused until the user trusts it. Kept in {@code
 * known_peers.json} in the profile directory (mode 0600). Thread-safe.
 *
 * <p>Bounded: a key pinned only because it was announced stays <em>unconfirmed</em> until we
 * exchange a message with it ({@link #confirm}) or the user trusts it; at most {@value
 * #MAX_UNCONFIRMED} unconfirmed pins are kept, and a new one evicts the oldest. A confirmed pin is
 * never evicted. The file is written on a thread of the store's own, never on the caller's: changes
 * made while a write runs are coalesced into the next one, so a flood of announces costs a few
 * writes, not one each. {@link #flush} waits for the file to be up to date.
 */
public final class TrustStore {

  /** The file's name in the profile directory. */
  public static final String FILE = "known_peers.json";

  private static final ObjectMapper JSON = JsonMapper.builder().build();

  /** What the store says about a nickname and the id it now presents. */
  public sealed interface Verdict {

    /**
     * Tells whether the connection may go on.
     *
     * @return true unless the id changed
     */
    default boolean allowed() {
      return !(this instanceof Changed);
    }
  }

  /** First contact: the id is now remembered for the nickname. */
  public record FirstContact() implements Verdict {}

  /** The id matches the one remembered. */
  public record Known() implements Verdict {}

  /**
   * The nickname was seen before with another id: refuse until the user trusts the new one.
   *
   * @param nickname the nickname
   * @param remembered the id seen before
   * @param presented the id presented now
   */
  public record Changed(String nickname, PeerId remembered, PeerId presented) implements Verdict {

    /**
     * Returns the loud warning to show the user.
     *
     * @return the warning, naming both fingerprints and what to do
     */
    public String warning() {
      return "WARNING: the key of '"
          + nickname
          + "' has changed! Remembered "
          + remembered
          + ", now presented "
          + presented
          + ". Someone may be impersonating them. Compare fingerprints out of band (/verify "
          + nickname
          + "); if the change is genuine, accept it with /trust "
          + nickname;
    }
  }

  /** The most pins kept that no message was exchanged with and the user did not trust. */
  public static final int MAX_UNCONFIRMED = 256;

  private static final Logger LOG = LoggerFactory.getLogger(TrustStore.class);

  /**
   * One pinned key. {@code confirmed} is absent in files written before pins could be unconfirmed:
   * those count as confirmed.
   */
  private record Entry(
      @JsonProperty("nickname") String nickname,
      @JsonProperty("id") String id,
      @JsonProperty("first_seen") long firstSeen,
      @JsonProperty("confirmed") Boolean confirmed) {

    boolean isConfirmed() {
      return confirmed == null || confirmed;
    }

    Entry confirm() {
      return new Entry(nickname, id, firstSeen, true);
    }
  }

  private record FileContent(@JsonProperty("peers") List<Entry> peers) {}

  private final Path file;
  private final Map<String, List<Entry>> byNickname = new TreeMap<>();
  private final Set<Entry> unconfirmed = new LinkedHashSet<>(); // oldest first
  private final ExecutorService writer;
  private long changes; // guarded by this: bumped by every change
  private long written; // guarded by this: the changes on disk
  private boolean writing; // guarded by this
  private long writes; // guarded by this

  private TrustStore(Path file) {
    this.file = file;
    this.writer =
        file == null
            ? null
            : Executors.newSingleThreadExecutor(
                r -> {
                  Thread t = new Thread(r, "parlance-trust");
                  t.setDaemon(true);
                  return t;
                });
  }

  /**
   * Makes a store that remembers only while the node runs, for nodes that keep nothing on disk.
   *
   * @return the store
   */
  public static TrustStore inMemory() {
    return new TrustStore(null);
  }

  /**
   * Loads the trusted peers of a profile directory; an absent file means none yet.
   *
   * @param profileDir the profile's directory
   * @return the store
   * @throws IdentityException if the file exists but cannot be read
   */
  public static TrustStore load(Path profileDir) {
    TrustStore store = new TrustStore(profileDir.resolve(FILE));
    if (Files.exists(store.file)) {
      try {
        FileContent content = JSON.readValue(store.file.toFile(), FileContent.class);
        if (content.peers() != null) {
          for (Entry e : content.peers()) {
            store.add(e);
          }
          store.evictUnconfirmed();
        }
      } catch (IOException e) {
        throw new IdentityException(
            "cannot read the trusted peers file "
                + store.file
                + " ("
                + e.getMessage().lines().findFirst().orElse("")
                + "); fix or remove it (you will have to trust peers again)",
            e);
      }
    }
    return store;
  }

  /**
   * Checks the id a peer presents for a nickname; on first contact remembers it.
   *
   * @param nickname the nickname
   * @param presented the id the peer proved
   * @return first contact, known, or changed (to be refused until trusted)
   */
  public synchronized Verdict check(String nickname, PeerId presented) {
    Objects.requireNonNull(nickname, "nickname");
    Objects.requireNonNull(presented, "presented");
    List<Entry> entries = byNickname.get(nickname);
    if (entries == null) {
      add(new Entry(nickname, presented.value(), System.currentTimeMillis(), false));
      evictUnconfirmed();
      changed();
      return new FirstContact();
    }
    return status(nickname, presented);
  }

  /**
   * Marks a pinned key as one we exchanged a message with, so it is never evicted.
   *
   * @param nickname the nickname
   * @param id the id pinned for it
   */
  public synchronized void confirm(String nickname, PeerId id) {
    List<Entry> entries = byNickname.get(nickname);
    if (entries == null) {
      return;
    }
    for (int i = 0; i < entries.size(); i++) {
      Entry e = entries.get(i);
      if (e.id().equals(id.value()) && !e.isConfirmed()) {
        unconfirmed.remove(e);
        entries.set(i, e.confirm());
        changed();
      }
    }
  }

  /** Drops the oldest unconfirmed pins beyond {@value #MAX_UNCONFIRMED}. */
  private void evictUnconfirmed() {
    Iterator<Entry> oldestFirst = unconfirmed.iterator();
    while (unconfirmed.size() > MAX_UNCONFIRMED && oldestFirst.hasNext()) {
      Entry oldest = oldestFirst.next();
      oldestFirst.remove();
      List<Entry> entries = byNickname.get(oldest.nickname());
      entries.remove(oldest);
      if (entries.isEmpty()) {
        byNickname.remove(oldest.nickname());
      }
    }
  }

  /**
   * Returns how many keys are pinned, confirmed or not.
   *
   * @return the count
   */
  public synchronized int size() {
    return byNickname.values().stream().mapToInt(List::size).sum();
  }

  /**
   * Returns how many times the file was written, for tests.
   *
   * @return the count
   */
  synchronized long writes() {
    return writes;
  }

  /**
   * Tells how an id stands for a nickname, remembering nothing.
   *
   * @param nickname the nickname
   * @param presented the id
   * @return first contact (nothing remembered yet), known, or changed
   */
  public synchronized Verdict status(String nickname, PeerId presented) {
    List<Entry> entries = byNickname.get(nickname);
    if (entries == null) {
      return new FirstContact();
    }
    if (entries.stream().anyMatch(e -> e.id().equals(presented.value()))) {
      return new Known();
    }
    return new Changed(nickname, new PeerId(entries.get(0).id()), presented);
  }

  /**
   * Accepts an id for a nickname, after the user compared it out of band. The ids accepted before
   * stay accepted: two people on a LAN may share a nickname.
   *
   * @param nickname the nickname
   * @param id the id to accept
   */
  public synchronized void trust(String nickname, PeerId id) {
    if (!(status(nickname, id) instanceof Known)) {
      add(new Entry(nickname, id.value(), System.currentTimeMillis(), true));
      changed();
    } else {
      confirm(nickname, id);
    }
  }

  /**
   * Returns the ids accepted for a nickname, the first one first.
   *
   * @param nickname the nickname
   * @return the ids, empty if none
   */
  public synchronized List<PeerId> remembered(String nickname) {
    return byNickname.getOrDefault(nickname, List.of()).stream()
        .map(e -> new PeerId(e.id()))
        .toList();
  }

  private void add(Entry entry) {
    byNickname.computeIfAbsent(entry.nickname(), n -> new ArrayList<>()).add(entry);
    if (!entry.isConfirmed()) {
      unconfirmed.add(entry);
    }
  }

  /** Notes a change, and has the writer thread write the file unless a write is on its way. */
  private void changed() {
    if (writer == null) {
      return;
    }
    changes++;
    if (!writing) {
      writing = true;
      try {
        writer.execute(this::writeLatest);
      } catch (RejectedExecutionException e) {
        writing = false; // closed: the change stays in memory only
        LOG.debug("The trusted peers file is closed; a change is not written");
      }
    }
  }

  /** On the writer thread: writes the latest state until no change is left unwritten. */
  private void writeLatest() {
    while (true) {
      List<Entry> snapshot;
      long upTo;
      synchronized (this) {
        if (written == changes) {
          writing = false;
          notifyAll();
          return;
        }
        snapshot = byNickname.values().stream().flatMap(List::stream).toList();
        upTo = changes;
      }
      try {
        save(snapshot);
      } catch (IdentityException e) {
        LOG.warn("{}; retried at the next change", e.getMessage());
      }
      synchronized (this) {
        written = upTo;
        writes++;
      }
    }
  }

  /**
   * Waits until every change made so far is written to the file. Must not be called on an event
   * loop.
   *
   * @throws InterruptedException if interrupted while waiting
   */
  public synchronized void flush() throws InterruptedException {
    while (writing) {
      wait();
    }
  }

  /**
   * Writes what is left and stops the writer thread. Must not be called on an event loop.
   *
   * @throws InterruptedException if interrupted while waiting
   */
  public void close() throws InterruptedException {
    flush();
    if (writer != null) {
      writer.shutdown();
    }
  }

  private void save(List<Entry> entries) {
    try {
      Path dir = file.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, FILE, ".tmp");
      try {
        if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
          Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        }
        JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), new FileContent(entries));
        try {
          Files.move(
              tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new IdentityException(
          "cannot write the trusted peers file " + file + ": " + e.getMessage(), e);
    }
  }
}
