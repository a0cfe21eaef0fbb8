package io.parlance.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import io.parlance.bootstrap.registry.InMemoryRegistry;
import io.parlance.bootstrap.registry.PeerEntry;
import io.parlance.bootstrap.registry.Registry;
import io.parlance.bootstrap.registry.RegistryListener;
import io.parlance.bootstrap.registry.RegistryPage;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class InMemoryRegistryTest {

  private final InMemoryRegistry registry = new InMemoryRegistry();
  private final List<String> events = new ArrayList<>();

  InMemoryRegistryTest() {
    registry.addListener(
        new RegistryListener() {
          @Override
          public void onJoined(PeerEntry entry) {
            events.add("+" + entry.nickname());
          }

          @Override
          public void onLeft(PeerEntry entry) {
            events.add("-" + entry.nickname());
          }

          @Override
          public void onReplaced(PeerEntry previous, PeerEntry entry) {
            events.add(previous.owner() + ">" + entry.owner());
          }
        });
  }

  private static PeerEntry entry(String nickname, String owner) {
    return new PeerEntry(nickname, new InetSocketAddress("127.0.0.1", 1000), null, owner);
  }

  @Test
  void aNicknameIsHeldByOneRegistrationAtATime() {
    PeerEntry first = entry("alice", "c1");
    assertThat(registry.register(first)).isEqualTo(Registry.Outcome.REGISTERED);
    assertThat(registry.register(entry("alice", "c2"))).isEqualTo(Registry.Outcome.TAKEN);
    assertThat(registry.lookup("alice")).contains(first);
    assertThat(registry.size()).isEqualTo(1);
    assertThat(events).containsExactly("+alice");
  }

  private static PeerEntry keyed(String nickname, String owner, String id) {
    return new PeerEntry(
        nickname,
        new InetSocketAddress("127.0.0.1", 1000),
        null,
        owner,
        id,
        "a2V5",
        null,
        "bm9uY2U=",
        "c2ln");
  }

  @Test
  void theSameIdentityTakesItsNicknameOverFromItsOlderRegistration() {
    PeerEntry before = keyed("alice", "c1", "ID-A");
    PeerEntry after = keyed("alice", "c2", "ID-A");
    registry.register(before);
    assertThat(registry.register(after)).isEqualTo(Registry.Outcome.REPLACED);
    assertThat(registry.lookup("alice")).contains(after);
    assertThat(registry.size()).isEqualTo(1);
    assertThat(events).containsExactly("+alice", "c1>c2");
    // The older registration's late end changes nothing.
    assertThat(registry.unregister(before)).isFalse();
    assertThat(registry.lookup("alice")).contains(after);
  }

  @Test
  void noRegistrationTakesANicknameFromAnotherIdentityOrFromNone() {
    registry.register(keyed("alice", "c1", "ID-A"));
    assertThat(registry.register(keyed("alice", "c2", "ID-M"))).isEqualTo(Registry.Outcome.TAKEN);
    assertThat(registry.register(entry("alice", "c3"))).isEqualTo(Registry.Outcome.TAKEN);
    registry.register(entry("bob", "c4"));
    assertThat(registry.register(keyed("bob", "c5", "ID-B"))).isEqualTo(Registry.Outcome.TAKEN);
    assertThat(registry.register(entry("bob", "c6"))).isEqualTo(Registry.Outcome.TAKEN);
    assertThat(registry.lookup("alice").orElseThrow().owner()).isEqualTo("c1");
    assertThat(registry.lookup("bob").orElseThrow().owner()).isEqualTo("c4");
    assertThat(events).containsExactly("+alice", "+bob");
  }

  @Test
  void onlyTheHolderCanEndARegistration() {
    PeerEntry first = entry("alice", "c1");
    registry.register(first);
    assertThat(registry.unregister(entry("alice", "c2"))).isFalse();
    assertThat(registry.unregister(first)).isTrue();
    assertThat(registry.unregister(first)).isFalse();
    assertThat(registry.size()).isZero();
    assertThat(events).containsExactly("+alice", "-alice");
  }

  @Test
  void pagesFollowNicknameOrderAfterTheCursor() {
    for (String n : List.of("d", "a", "c", "b", "e")) {
      registry.register(entry(n, n));
    }
    RegistryPage first = registry.list(null, 2);
    assertThat(first.peers()).extracting(PeerEntry::nickname).containsExactly("a", "b");
    assertThat(first.nextCursor()).isEqualTo("b");
    RegistryPage second = registry.list("b", 2);
    assertThat(second.peers()).extracting(PeerEntry::nickname).containsExactly("c", "d");
    RegistryPage last = registry.list("d", 2);
    assertThat(last.peers()).extracting(PeerEntry::nickname).containsExactly("e");
    assertThat(last.nextCursor()).isNull();
    // A cursor that is no longer registered still continues after it.
    registry.unregister(registry.lookup("b").orElseThrow());
    assertThat(registry.list("b", 10).peers())
        .extracting(PeerEntry::nickname)
        .containsExactly("c", "d", "e");
  }

  @Test
  void anExactlyFullLastPageHasNoCursor() {
    registry.register(entry("a", "a"));
    registry.register(entry("b", "b"));
    assertThat(registry.list(null, 2).nextCursor()).isNull();
  }
}
