package io.parlance.client.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPairGenerator;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
    store.flush(); // written on the store's own thread
    Path file = dir.resolve(TrustStore.FILE);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    TrustStore reloaded = TrustStore.load(dir);
    assertThat(reloaded.check("alice", mallory).allowed()).isFalse();

    reloaded.trust("alice", mallory);
    reloaded.flush();
    assertThat(reloaded.check("alice", mallory)).isInstanceOf(TrustStore.Known.class);
    // Accepting a second key keeps the first: two people may share a nickname.
    assertThat(TrustStore.load(dir).remembered("alice")).containsExactly(alice, mallory);
    assertThat(TrustStore.load(dir).check("alice", alice)).isInstanceOf(TrustStore.Known.class);
    PeerId third = Identity.generate().id();
    assertThat(TrustStore.load(dir).status("alice", third)).isInstanceOf(TrustStore.Changed.class);
    assertThat(TrustStore.load(dir).remembered("alice")).hasSize(2);
  }

  /**
   * Issue 22, item 6: 2,000 signed announces with fresh keys pinned 2,001 nicknames for good, each
   * pin rewriting the whole file on the discovery event loop. Now announced keys are capped and
   * evicted oldest first, a key we exchanged messages with stays, and the file is written off the
   * event loop (BlockHound fails this test if any check writes there).
   */
  @Test
  void aFloodOfAnnouncedKeysOnTheEventLoopIsCappedWrittenElsewhereAndKeepsConfirmedPeers()
      throws Exception {
    TrustStore store = TrustStore.load(dir);
    store.check("alice", alice);
    store.confirm("alice", alice); // we exchanged a message with her
    List<PeerId> flood = new ArrayList<>();
    KeyPairGenerator keys = KeyPairGenerator.getInstance("Ed25519");
    for (int i = 0; i < 2_000; i++) {
      flood.add(PeerId.of(keys.generateKeyPair().getPublic()));
    }

    EventLoop loop = new DefaultEventLoop();
    try {
      loop.submit(
              () -> {
                for (int i = 0; i < flood.size(); i++) {
                  assertThat(store.check("spam" + i, flood.get(i)))
                      .isInstanceOf(TrustStore.FirstContact.class);
                }
              })
          .get(60, TimeUnit.SECONDS);
    } finally {
      loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
    store.close();

    assertThat(store.size()).isEqualTo(TrustStore.MAX_UNCONFIRMED + 1);
    TrustStore reloaded = TrustStore.load(dir);
    assertThat(reloaded.size()).isEqualTo(TrustStore.MAX_UNCONFIRMED + 1);
    assertThat(reloaded.status("alice", alice)).isInstanceOf(TrustStore.Known.class);
    assertThat(reloaded.status("alice", mallory)).isInstanceOf(TrustStore.Changed.class);
    assertThat(reloaded.remembered("spam1999")).containsExactly(flood.get(1_999));
    assertThat(reloaded.remembered("spam0")).as("the oldest announced pin made room").isEmpty();
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
