package io.parlance.client.peer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parlance.client.security.Identity;
import io.parlance.client.security.PeerId;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The peer list is bounded in all and per IP, and keeps the peers worth keeping. */
class PeerDirectoryBoundsTest {

  private static final InetSocketAddress BOB = new InetSocketAddress("10.0.0.7", 7000);
  private static final PeerId BOB_ID = Identity.generate().id();

  private final AtomicLong clock = new AtomicLong();
  private final List<String> left = new ArrayList<>();

  private PeerDirectory directory(int maxPeers, int maxPerIp) {
    PeerDirectory directory = new PeerDirectory(clock::get, maxPeers, maxPerIp);
    directory.listener(
        new PeerDirectory.Listener() {
          @Override
          public void joined(Peer peer) {}

          @Override
          public void renamed(Peer before, Peer after) {}

          @Override
          public void left(Peer peer, PeerDirectory.LeaveReason reason) {
            left.add(peer.nickname() + " " + reason);
          }
        });
    return directory;
  }

  private PeerDirectory.Change upsert(PeerDirectory d, String nick, String ip, int port) {
    clock.incrementAndGet();
    return d.upsert(nick, new InetSocketAddress(ip, port), Peer.LAN);
  }

  private static Peer signed(String nick, InetSocketAddress at, PeerId id) {
    return new Peer(nick, at, Peer.LAN, id, Set.of("tls"));
  }

  /** An address in 198.18.0.0/15 numbered i. */
  private static String ip(int i) {
    return "198.18." + (i >> 8 & 0xff) + "." + (i & 0xff);
  }

  @Test
  void aFloodOfForgedAnnouncesFromOneIpKeepsAtMostThePerIpBoundAndOtherPeers() {
    PeerDirectory d = directory(4096, 32);
    upsert(d, "rusty", "10.0.0.8", 7000);

    for (int port = 1; port <= 20_000; port++) {
      upsert(d, "f" + port, "10.0.0.66", port);
    }

    assertThat(d.size()).isEqualTo(33);
    assertThat(d.byNickname("rusty")).hasSize(1);
    // The newest forgeries took the place of the oldest ones.
    assertThat(d.byNickname("f20000")).hasSize(1);
    assertThat(d.byNickname("f1")).isEmpty();
  }

  @Test
  void aFloodFromManyIpsKeepsAtMostTheBoundInAllAndASignedPeerWeTalkToSurvives() {
    PeerDirectory d = directory(256, 4);
    d.upsert(signed("bob", BOB, BOB_ID));
    d.talkedTo(BOB);

    for (int i = 0; i < 50_000; i++) {
      upsert(d, "f" + i, ip(i % 60_000), 1000 + i / 60_000);
    }
    for (int i = 0; i < 600; i++) {
      clock.incrementAndGet();
      d.upsert(signed("s" + i, new InetSocketAddress(ip(i), 2000), Identity.generate().id()));
    }

    assertThat(d.size()).isLessThanOrEqualTo(256);
    assertThat(d.get(BOB)).hasValueSatisfying(p -> assertThat(p.id()).isEqualTo(BOB_ID));
  }

  @Test
  void aPeerThatProvedItsIdInAMessageIsKeptToo() {
    PeerDirectory d = directory(8, 8);
    d.upsert(signed("bob", BOB, BOB_ID));
    d.talkedTo(BOB_ID);

    for (int i = 0; i < 100; i++) {
      clock.incrementAndGet();
      d.upsert(signed("s" + i, new InetSocketAddress(ip(i), 2000), Identity.generate().id()));
    }

    assertThat(d.get(BOB)).isPresent();
  }

  @Test
  void theLeastRecentlyHeardUnsignedPeerMakesRoomAndLeavesAsRemoved() {
    PeerDirectory d = directory(2, 8);
    upsert(d, "old", "10.0.0.1", 1);
    upsert(d, "newer", "10.0.0.2", 1);
    upsert(d, "old", "10.0.0.1", 1); // heard again: now "newer" is the longest unheard

    assertThat(upsert(d, "newcomer", "10.0.0.3", 1)).isEqualTo(PeerDirectory.Change.JOINED);

    assertThat(d.peers()).extracting(Peer::nickname).containsExactly("newcomer", "old");
    assertThat(left).containsExactly("newer REMOVED");
  }

  @Test
  void anUnsignedNewcomerIsRefusedWhenEveryPeerIsSigned() {
    PeerDirectory d = directory(2, 8);
    d.upsert(signed("bob", BOB, BOB_ID));
    d.upsert(signed("carol", new InetSocketAddress("10.0.0.9", 1), Identity.generate().id()));

    assertThat(upsert(d, "forged", "10.0.0.66", 1)).isEqualTo(PeerDirectory.Change.REFUSED);

    assertThat(d.peers()).extracting(Peer::nickname).containsExactly("bob", "carol");
    assertThat(left).isEmpty();
  }

  @Test
  void aSignedNewcomerTakesThePlaceOfAnUnsignedPeer() {
    PeerDirectory d = directory(1, 8);
    upsert(d, "rusty", "10.0.0.8", 7000);

    assertThat(d.upsert(signed("bob", BOB, BOB_ID))).isEqualTo(PeerDirectory.Change.JOINED);

    assertThat(d.peers()).extracting(Peer::nickname).containsExactly("bob");
  }

  @Test
  void aKnownPeerIsRefreshedEvenWhenTheListIsFull() {
    PeerDirectory d = directory(1, 1);
    d.upsert(signed("bob", BOB, BOB_ID));

    assertThat(d.upsert(signed("bob", BOB, BOB_ID))).isEqualTo(PeerDirectory.Change.REFRESHED);
    assertThat(d.upsert(signed("bobby", BOB, BOB_ID))).isEqualTo(PeerDirectory.Change.RENAMED);
  }

  @Test
  void aPeerThatMovesAddressDoesNotCountTwice() {
    PeerDirectory d = directory(1, 1);
    d.upsert(signed("bob", BOB, BOB_ID));
    InetSocketAddress moved = new InetSocketAddress("10.0.0.7", 7001);

    assertThat(d.upsert(signed("bob", moved, BOB_ID))).isEqualTo(PeerDirectory.Change.JOINED);

    assertThat(d.peers()).singleElement().satisfies(p -> assertThat(p.address()).isEqualTo(moved));
    assertThat(left).containsExactly("bob MOVED");
  }

  @Test
  void boundsBelowOneAreRefused() {
    assertThatThrownBy(() -> new PeerDirectory(0, 1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new PeerDirectory(1, 0)).isInstanceOf(IllegalArgumentException.class);
  }
}
