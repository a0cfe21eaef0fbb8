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
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Trust on first use, as SSH does for hosts: the first id seen for a nickname is remembered, and a
 * different id later under that nickname is refused until the user trusts it. Kept in {@code
 * known_peers.json} in the profile directory (mode 0600). Thread-safe.
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

  private record Entry(
      @JsonProperty("nickname") String nickname,
      @JsonProperty("id") String id,
      @JsonProperty("first_seen") long firstSeen) {}

  private record FileContent(@JsonProperty("peers") List<Entry> peers) {}

  private final Path file;
  private final Map<String, List<Entry>> byNickname = new TreeMap<>();

  private TrustStore(Path file) {
    this.file = file;
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
      add(new Entry(nickname, presented.value(), System.currentTimeMillis()));
      save();
      return new FirstContact();
    }
    return status(nickname, presented);
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
      add(new Entry(nickname, id.value(), System.currentTimeMillis()));
      save();
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
  }

  private void save() {
    if (file == null) {
      return;
    }
    try {
      Path dir = file.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, FILE, ".tmp");
      try {
        if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
          Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        }
        JSON.writerWithDefaultPrettyPrinter()
            .writeValue(
                tmp.toFile(),
                new FileContent(byNickname.values().stream().flatMap(List::stream).toList()));
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
