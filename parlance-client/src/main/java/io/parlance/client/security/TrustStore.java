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
import java.util.Optional;
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
  private final Map<String, Entry> byNickname = new TreeMap<>();

  private TrustStore(Path file) {
    this.file = file;
  }

  /**
   * Loads the store of a profile directory (empty if the file does not exist yet).
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
            store.byNickname.put(e.nickname(), e);
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
   * Checks the id a nickname presents, remembering it on first contact.
   *
   * @param nickname the peer's nickname
   * @param presented the id it proved it holds
   * @return the verdict
   */
  public synchronized Verdict check(String nickname, PeerId presented) {
    Objects.requireNonNull(nickname, "nickname");
    Objects.requireNonNull(presented, "presented");
    Entry entry = byNickname.get(nickname);
    if (entry == null) {
      byNickname.put(nickname, new Entry(nickname, presented.value(), System.currentTimeMillis()));
      save();
      return new FirstContact();
    }
    if (entry.id().equals(presented.value())) {
      return new Known();
    }
    return new Changed(nickname, new PeerId(entry.id()), presented);
  }

  /**
   * Accepts a new id for a nickname, replacing the remembered one.
   *
   * @param nickname the peer's nickname
   * @param id the id to trust from now on
   */
  public synchronized void trust(String nickname, PeerId id) {
    byNickname.put(nickname, new Entry(nickname, id.value(), System.currentTimeMillis()));
    save();
  }

  /**
   * Returns the id remembered for a nickname.
   *
   * @param nickname the nickname
   * @return the id, if any
   */
  public synchronized Optional<PeerId> remembered(String nickname) {
    return Optional.ofNullable(byNickname.get(nickname)).map(e -> new PeerId(e.id()));
  }

  private void save() {
    try {
      Path dir = file.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, FILE, ".tmp");
      try {
        if (dir.getFileSystem().supportedFileAttributeViews().contains("posix")) {
          Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        }
        JSON.writerWithDefaultPrettyPrinter()
            .writeValue(tmp.toFile(), new FileContent(new ArrayList<>(byNickname.values())));
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
