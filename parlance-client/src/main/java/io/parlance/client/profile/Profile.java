package io.parlance.client.profile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A named profile and its data directory, where a peer keeps what lasts between runs (the lock, the
 * control socket, later its identity keys and history).
 *
 * <p>The directory is {@code --data-dir}, else {@code $PARLANCE_DATA_DIR}, else {@code
 * $XDG_DATA_HOME/parlance/<profile>}, else {@code ~/.local/share/parlance/<profile>}. It is made
 * owner-only (0700). One running peer uses a profile at a time: see {@link #lock()}.
 */
public final class Profile {

  /** The profile used when none is named. */
  public static final String DEFAULT_NAME = "default";

  /** The environment variable naming the profile. */
  public static final String PROFILE_VARIABLE = "PARLANCE_PROFILE";

  /** The environment variable giving the data directory. */
  public static final String DATA_DIR_VARIABLE = "PARLANCE_DATA_DIR";

  static final String LOCK_FILE = "lock";
  static final String CONTROL_SOCKET = "control.sock";

  private static final Logger LOG = LoggerFactory.getLogger(Profile.class);

  /** What to do when the data directory cannot be used. */
  private static final String OTHER_DIR_HINT =
      "; check the directory's owner and mode, or pick another with --data-dir or --profile";

  private static final String HISTORY_FILE = "history";
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,63}");
  private static final Set<PosixFilePermission> OWNER_ONLY_DIR =
      PosixFilePermissions.fromString("rwx------");
  private static final Set<PosixFilePermission> OWNER_ONLY_FILE =
      PosixFilePermissions.fromString("rw-------");

  private final String name;
  private final Path dataDir;
  private final boolean dataDirGiven;
  private final Path stateDir;

  private Profile(String name, Path dataDir, boolean dataDirGiven, Path stateDir) {
    this.name = name;
    this.dataDir = dataDir.toAbsolutePath().normalize();
    this.dataDirGiven = dataDirGiven;
    this.stateDir = stateDir.toAbsolutePath().normalize();
  }

  /**
   * Resolves a profile from the flags and the environment: flags win over {@code PARLANCE_PROFILE}
   * and {@code PARLANCE_DATA_DIR}.
   *
   * @param name the profile named with {@code --profile}, or null
   * @param dataDir the directory given with {@code --data-dir}, or null
   * @param env the environment
   * @return the profile
   * @throws IllegalArgumentException if the name is not a valid profile name, saying why
   */
  public static Profile resolve(String name, Path dataDir, Map<String, String> env) {
    Objects.requireNonNull(env, "env");
    String n = name != null ? name : value(env, PROFILE_VARIABLE);
    if (n == null) {
      n = DEFAULT_NAME;
    }
    Optional<String> problem = nameProblem(n);
    if (problem.isPresent()) {
      throw new IllegalArgumentException(problem.get());
    }
    Path dir = dataDir;
    if (dir == null && value(env, DATA_DIR_VARIABLE) != null) {
      dir = Path.of(value(env, DATA_DIR_VARIABLE));
    }
    return dir != null
        ? new Profile(n, dir, true, dir)
        : new Profile(n, defaultDataDir(n, env), false, defaultStateDir(n, env));
  }

  /**
   * Tells what is wrong with a profile name, if anything: 1-64 letters, digits, {@code .}, {@code
   * _} or {@code -}, not starting with {@code .} or {@code -}.
   *
   * @param name the name
   * @return the problem, or empty if the name is fine
   */
  public static Optional<String> nameProblem(String name) {
    if (NAME.matcher(name).matches()) {
      return Optional.empty();
    }
    return Optional.of(
        "'"
            + name
            + "' is not a profile name; use 1-64 letters, digits, '.', '_' or '-', not starting"
            + " with '.' or '-'");
  }

  /**
   * Returns the default data directory of a profile: {@code $XDG_DATA_HOME/parlance/<name>} or
   * {@code ~/.local/share/parlance/<name>}.
   *
   * @param name the profile name
   * @param env the environment
   * @return the directory
   */
  public static Path defaultDataDir(String name, Map<String, String> env) {
    return xdgBase(env, "XDG_DATA_HOME", "share").resolve("parlance").resolve(name);
  }

  /**
   * Returns the default state directory of a profile (its chat log and line-edit history): {@code
   * $XDG_STATE_HOME/parlance/<name>} or {@code ~/.local/state/parlance/<name>}.
   *
   * @param name the profile name
   * @param env the environment
   * @return the directory
   */
  public static Path defaultStateDir(String name, Map<String, String> env) {
    return xdgBase(env, "XDG_STATE_HOME", "state").resolve("parlance").resolve(name);
  }

  /** An XDG base directory: the variable's value, else {@code ~/.local/<fallback>}. */
  private static Path xdgBase(Map<String, String> env, String variable, String fallback) {
    String xdg = value(env, variable);
    return xdg != null && !xdg.isBlank()
        ? Path.of(xdg)
        : Path.of(System.getProperty("user.home"), ".local", fallback);
  }

  private static String value(Map<String, String> env, String variable) {
    String v = env.get(variable);
    return v == null || v.isEmpty() ? null : v;
  }

  /**
   * Returns the profile's name.
   *
   * @return the name
   */
  public String name() {
    return name;
  }

  /**
   * Returns the data directory (it may not exist yet; {@link #createDataDir()} makes it).
   *
   * @return the absolute path
   */
  public Path dataDir() {
    return dataDir;
  }

  /**
   * Returns the state directory: the chat's log and line-edit history, one per profile; the data
   * directory itself when that was given explicitly.
   *
   * @return the absolute path (it may not exist yet; {@link #createStateDir()} makes it)
   */
  public Path stateDir() {
    return stateDir;
  }

  /**
   * Creates the state directory, owner-only (0700), with its parents; an existing one is left as it
   * is.
   *
   * @return the directory
   * @throws UncheckedIOException if it cannot be created, saying why
   */
  public Path createStateDir() {
    try {
      if (!Files.isDirectory(stateDir)) {
        Files.createDirectories(stateDir, ownerOnly(OWNER_ONLY_DIR));
        setPermissions(stateDir, OWNER_ONLY_DIR);
      }
      return stateDir;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot create the state directory " + stateDir + ": " + why(e) + OTHER_DIR_HINT, e);
    }
  }

  /**
   * Creates the state directory and the line-edit history file in it, owner-only (0600), for it
   * holds the text of one's messages.
   *
   * @return the history file
   * @throws UncheckedIOException if either cannot be created, saying why
   */
  public Path createHistoryFile() {
    Path file = createStateDir().resolve(HISTORY_FILE);
    try {
      if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
        Files.createFile(file, ownerOnly(OWNER_ONLY_FILE));
      }
      setPermissions(file, OWNER_ONLY_FILE);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot create the history file " + file + ": " + why(e) + OTHER_DIR_HINT, e);
    }
  }

  /**
   * Returns the path of the running daemon's control socket.
   *
   * @return {@code <data dir>/control.sock}
   */
  public Path controlSocket() {
    return dataDir.resolve(CONTROL_SOCKET);
  }

  /**
   * Returns the path of the lock file.
   *
   * @return {@code <data dir>/lock}
   */
  public Path lockFile() {
    return dataDir.resolve(LOCK_FILE);
  }

  /**
   * Names the profile for messages: {@code profile 'alice'}, or {@code data directory '/x'} when
   * the directory was given explicitly.
   *
   * @return the words
   */
  public String describe() {
    return dataDirGiven ? "data directory '" + dataDir + "'" : "profile '" + name + "'";
  }

  /**
   * Returns the flags that select this profile, for hints: {@code --profile alice}, {@code
   * --data-dir /x}, or nothing for the default profile.
   *
   * @return the flags, with a leading space, or the empty string
   */
  public String flags() {
    if (dataDirGiven) {
      return " --data-dir " + dataDir;
    }
    return name.equals(DEFAULT_NAME) ? "" : " --profile " + name;
  }

  /**
   * Creates the data directory, owner-only (0700), with its parents. An existing directory is left
   * as it is, with a warning if other users may enter it.
   *
   * @return the directory
   * @throws UncheckedIOException if it cannot be created, saying why
   */
  public Path createDataDir() {
    try {
      if (Files.isDirectory(dataDir)) {
        warnIfShared();
        return dataDir;
      }
      Path parent = dataDir.getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      try {
        Files.createDirectory(dataDir, ownerOnly(OWNER_ONLY_DIR));
        // The umask may have taken bits away but never adds any; set exactly 0700.
        setPermissions(dataDir, OWNER_ONLY_DIR);
      } catch (FileAlreadyExistsException e) {
        if (!Files.isDirectory(dataDir)) {
          throw new IOException(dataDir + " exists and is not a directory", e);
        }
      }
      return dataDir;
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot create the data directory " + dataDir + ": " + why(e) + OTHER_DIR_HINT, e);
    }
  }

  private void warnIfShared() throws IOException {
    try {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dataDir);
      if (!OWNER_ONLY_DIR.containsAll(perms)) {
        LOG.warn(
            "The data directory {} is open to other users ({}); chmod 700 it",
            dataDir,
            PosixFilePermissions.toString(perms));
      }
    } catch (UnsupportedOperationException e) {
      LOG.debug("No POSIX permissions on {}", dataDir);
    }
  }

  /**
   * Takes the profile's exclusive lock, creating the data directory if needed, and writes our pid
   * into the lock file.
   *
   * @return the held lock; close it to release
   * @throws ProfileInUseException if another parlance holds it, naming its pid
   * @throws UncheckedIOException if the lock file cannot be opened
   */
  public ProfileLock lock() {
    createDataDir();
    Path file = lockFile();
    FileChannel channel;
    try {
      channel =
          Files.exists(file, LinkOption.NOFOLLOW_LINKS)
              ? FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)
              : FileChannel.open(
                  file,
                  Set.of(
                      StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE),
                  ownerOnly(OWNER_ONLY_FILE));
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot open the lock file " + file + ": " + why(e) + OTHER_DIR_HINT, e);
    }
    boolean done = false;
    try {
      FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (OverlappingFileLockException e) {
        lock = null; // held by this very process
      }
      if (lock == null) {
        throw new ProfileInUseException(
            describe() + " is already in use by another parlance (pid " + holder(channel) + ")");
      }
      channel.truncate(0);
      channel.write(
          ByteBuffer.wrap(
              (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)),
          0);
      channel.force(false);
      done = true;
      return new ProfileLock(file, channel, lock);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot lock " + file + ": " + why(e) + OTHER_DIR_HINT, e);
    } finally {
      if (!done) {
        try {
          channel.close();
        } catch (IOException e) {
          LOG.debug("Cannot close {}", file, e);
        }
      }
    }
  }

  /**
   * Says why a file operation failed in words, where NIO's message is often just the path.
   *
   * @param e the failure
   * @return e.g. {@code permission denied}
   */
  static String why(IOException e) {
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof NoSuchFileException) {
      return "a directory on the way does not exist";
    }
    if (e instanceof FileAlreadyExistsException) {
      return "a file of that name is in the way";
    }
    if (e instanceof FileSystemException fs && fs.getReason() != null) {
      return fs.getReason();
    }
    return e.getMessage() != null ? e.getMessage() : "an input/output error";
  }

  private static String holder(FileChannel channel) {
    try {
      ByteBuffer buffer = ByteBuffer.allocate(32);
      channel.read(buffer, 0);
      String text = new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII);
      String pid = text.strip();
      return pid.matches("[0-9]{1,19}") ? pid : "unknown";
    } catch (IOException e) {
      return "unknown";
    }
  }

  private static FileAttribute<?>[] ownerOnly(Set<PosixFilePermission> perms) {
    return posix()
        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(perms)}
        : new FileAttribute<?>[0];
  }

  private static void setPermissions(Path path, Set<PosixFilePermission> perms) throws IOException {
    if (posix()) {
      Files.setPosixFilePermissions(path, perms);
    }
  }

  private static boolean posix() {
    return java.nio.file.FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
  }

  @Override
  public String toString() {
    return describe() + " at " + dataDir;
  }
}
