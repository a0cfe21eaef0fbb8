package io.parlance.client.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProfileTest {

  @TempDir Path dir;

  private Map<String, String> env() {
    return Map.of("XDG_DATA_HOME", dir.resolve("xdg").toString());
  }

  @Test
  void theDefaultProfileLivesUnderXdgDataHome() {
    Profile profile = Profile.resolve(null, null, env());

    assertThat(profile.name()).isEqualTo("default");
    assertThat(profile.dataDir()).isEqualTo(dir.resolve("xdg/parlance/default"));
    assertThat(profile.controlSocket()).isEqualTo(profile.dataDir().resolve("control.sock"));
    assertThat(profile.lockFile()).isEqualTo(profile.dataDir().resolve("lock"));
    assertThat(profile.describe()).isEqualTo("profile 'default'");
    assertThat(profile.flags()).isEmpty();
  }

  @Test
  void withoutXdgDataHomeTheProfileLivesUnderTheHomeDirectory() {
    Profile profile = Profile.resolve("alice", null, Map.of());

    assertThat(profile.dataDir())
        .isEqualTo(
            Path.of(System.getProperty("user.home"), ".local", "share", "parlance", "alice")
                .toAbsolutePath());
  }

  @Test
  void flagsWinOverTheEnvironmentWhichWinsOverTheDefault() {
    Map<String, String> env =
        Map.of(
            "XDG_DATA_HOME", dir.toString(),
            "PARLANCE_PROFILE", "bob",
            "PARLANCE_DATA_DIR", dir.resolve("env-dir").toString());

    assertThat(Profile.resolve(null, null, env).name()).isEqualTo("bob");
    assertThat(Profile.resolve(null, null, env).dataDir()).isEqualTo(dir.resolve("env-dir"));
    assertThat(Profile.resolve("carol", dir.resolve("flag-dir"), env).dataDir())
        .isEqualTo(dir.resolve("flag-dir"));
    assertThat(Profile.resolve("carol", null, Map.of("XDG_DATA_HOME", dir.toString())).dataDir())
        .isEqualTo(dir.resolve("parlance/carol"));
    Profile explicit = Profile.resolve(null, dir.resolve("flag-dir"), Map.of());
    assertThat(explicit.describe()).isEqualTo("data directory '" + dir.resolve("flag-dir") + "'");
    assertThat(explicit.flags()).isEqualTo(" --data-dir " + dir.resolve("flag-dir"));
    assertThat(Profile.resolve("carol", null, env()).flags()).isEqualTo(" --profile carol");
  }

  @Test
  void badProfileNamesAreRefusedSayingWhy() {
    for (String bad : new String[] {"", "..", ".hidden", "-x", "a/b", "a b", "x".repeat(65)}) {
      assertThatThrownBy(() -> Profile.resolve(bad, null, env()))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("is not a profile name");
    }
    assertThat(Profile.nameProblem("work.laptop_2-b")).isEmpty();
  }

  @Test
  void theDataDirectoryIsCreatedOwnerOnly() throws Exception {
    Profile profile = Profile.resolve("alice", null, env());

    Path created = profile.createDataDir();

    assertThat(created).isDirectory();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(created)))
        .isEqualTo("rwx------");
    assertThat(profile.createDataDir()).isEqualTo(created); // a second time is fine
  }

  @Test
  void aDataDirectoryPathThatIsAFileIsAClearError() throws Exception {
    Path file = Files.writeString(dir.resolve("file"), "x");

    assertThatThrownBy(() -> Profile.resolve(null, file, Map.of()).createDataDir())
        .hasMessageContaining("cannot create the data directory " + file);
  }

  @Test
  void theLockWritesOurPidAndRefusesASecondHolderNamingIt() throws Exception {
    Profile profile = Profile.resolve("alice", null, env());
    long pid = ProcessHandle.current().pid();

    try (ProfileLock lock = profile.lock()) {
      assertThat(lock.isHeld()).isTrue();
      assertThat(profile.lockFile()).content().isEqualTo(pid + "\n");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(lock.file())))
          .isEqualTo("rw-------");

      assertThatThrownBy(profile::lock)
          .isInstanceOf(ProfileInUseException.class)
          .hasMessage("profile 'alice' is already in use by another parlance (pid " + pid + ")");
      assertThat(lock.isHeld()).isTrue();
    }

    try (ProfileLock again = profile.lock()) {
      assertThat(again.isHeld()).isTrue();
    }
  }

  @Test
  void aStaleLockFileFromACrashedPeerDoesNotBlock() throws Exception {
    Profile profile = Profile.resolve("alice", null, env());
    profile.createDataDir();
    Files.writeString(profile.lockFile(), "999999999\n");

    try (ProfileLock lock = profile.lock()) {
      assertThat(lock.file()).content().isEqualTo(ProcessHandle.current().pid() + "\n");
    }
  }

  @Test
  void aFileOperationsFailureIsSaidInWordsNotAsTheBarePath() {
    assertThat(Profile.why(new java.nio.file.AccessDeniedException("/x/lock")))
        .isEqualTo("permission denied");
    assertThat(Profile.why(new java.nio.file.NoSuchFileException("/x/lock")))
        .isEqualTo("a directory on the way does not exist");
    assertThat(Profile.why(new java.nio.file.FileSystemException("/x/lock", null, "disk quota")))
        .isEqualTo("disk quota");
  }

  @Test
  void aDataDirectoryInTheWayOfALockSaysWhyAndWhatToDo() throws Exception {
    Path data = Files.createDirectories(dir.resolve("d"));
    Files.createDirectories(data.resolve("lock").resolve("sub"));
    Profile profile = Profile.resolve(null, data, Map.of());

    assertThatThrownBy(profile::lock)
        .hasMessageStartingWith("cannot open the lock file " + data.resolve("lock") + ": ")
        .hasMessageEndingWith(
            "; check the directory's owner and mode, or pick another with --data-dir or"
                + " --profile")
        .hasMessageNotContaining(": " + data.resolve("lock") + ";");
  }

  @Test
  void eachProfileHasItsOwnStateDirectoryWithAnOwnerOnlyHistoryFile() throws Exception {
    Map<String, String> env = Map.of("XDG_STATE_HOME", dir.resolve("state").toString());
    Profile ivy = Profile.resolve("ivy", null, env);
    Profile other = Profile.resolve(null, null, env);

    Path history = ivy.createHistoryFile();

    assertThat(history).isEqualTo(dir.resolve("state/parlance/ivy/history"));
    assertThat(other.stateDir()).isEqualTo(dir.resolve("state/parlance/default"));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(history)))
        .isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(history.getParent())))
        .isEqualTo("rwx------");
    Files.setPosixFilePermissions(history, PosixFilePermissions.fromString("rw-r--r--"));
    assertThat(ivy.createHistoryFile()).isEqualTo(history);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(history)))
        .as("an old, readable history file is closed")
        .isEqualTo("rw-------");
    Path given = dir.resolve("given");
    assertThat(Profile.resolve(null, given, env).stateDir()).isEqualTo(given);
  }
}
