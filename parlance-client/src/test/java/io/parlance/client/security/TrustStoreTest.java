package io.parlance.client.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrustStoreTest {

  @TempDir Path dir;

  private final PeerId alice = Identity.generate().id();
  private final PeerId mallory = Identity.generate().id();

  @Test
  void theFirstIdIsRememberedAndAChangedOneRefusedUntilTrusted() throws Exception {
    TrustStore store = TrustStore.load(dir);
    assertThat(store.check("alice", alice)).isInstanceOf(TrustStore.FirstContact.class);
    assertThat(store.check("alice", alice)).isInstanceOf(TrustStore.Known.class);

    TrustStore.Verdict changed = store.check("alice", mallory);
    assertThat(changed.allowed()).isFalse();
    assertThat(((TrustStore.Changed) changed).warning())
        .contains("'alice' has changed")
        .contains(alice.value())
        .contains(mallory.value())
        .contains("/trust alice");

    // Remembered on disk, owner-only: a restart does not forget.
    Path file = dir.resolve(TrustStore.FILE);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    TrustStore reloaded = TrustStore.load(dir);
    assertThat(reloaded.check("alice", mallory).allowed()).isFalse();

    reloaded.trust("alice", mallory);
    assertThat(reloaded.check("alice", mallory)).isInstanceOf(TrustStore.Known.class);
    // Accepting a second key keeps the first: two people may share a nickname.
    assertThat(TrustStore.load(dir).remembered("alice")).containsExactly(alice, mallory);
    assertThat(TrustStore.load(dir).check("alice", alice)).isInstanceOf(TrustStore.Known.class);
    PeerId third = Identity.generate().id();
    assertThat(TrustStore.load(dir).status("alice", third)).isInstanceOf(TrustStore.Changed.class);
    assertThat(TrustStore.load(dir).remembered("alice")).hasSize(2);
  }

  @Test
  void anUnreadableFileGivesAClearError() throws Exception {
    Files.writeString(dir.resolve(TrustStore.FILE), "{not json");
    assertThatThrownBy(() -> TrustStore.load(dir))
        .isInstanceOf(IdentityException.class)
        .hasMessageContaining("cannot read the trusted peers file")
        .hasMessageContaining("fix or remove it");
  }
}
