package io.parlance.client.peer;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PeerDirectoryTest {

  private final AtomicLong clock = new AtomicLong();
  private final PeerDirectory directory = new PeerDirectory(clock::get);
  private final List<String> changes = new ArrayList<>();

  {
    directory.listener(
        new PeerDirectory.Listener() {
          @Override
          public void joined(Peer peer) {
            changes.add("joined " + peer.qualifiedName());
          }

          @Override
          public void renamed(Peer before, Peer after) {
            changes.add("renamed " + before.nickname() + " " + after.nickname());
          }

          @Override
          public void left(Peer peer, PeerDirectory.LeaveReason reason) {
            changes.add("left " + peer.nickname() + " " + reason);
          }
        });
  }

  private static InetSocketAddress at(int port) {
    return new InetSocketAddress("10.0.0.1", port);
  }

  @Test
  void keysPeersByAddressSoTwoPeersMayShareANickname() {
    assertThat(directory.upsert("bob", at(1), Peer.LAN)).isEqualTo(PeerDirectory.Change.JOINED);
    assertThat(directory.upsert("bob", at(2), Peer.LAN)).isEqualTo(PeerDirectory.Change.JOINED);
    assertThat(directory.upsert("bob", at(1), Peer.LAN)).isEqualTo(PeerDirectory.Change.REFRESHED);

    assertThat(directory.byNickname("bob")).hasSize(2);
    assertThat(changes).containsExactly("joined bob@10.0.0.1:1", "joined bob@10.0.0.1:2");
  }

  @Test
  void findsThePeersWithANicknameOrderedByAddress() {
    directory.upsert("bob", at(2), Peer.LAN);
    directory.upsert("carol", at(3), Peer.LAN);
    directory.upsert("bob", at(1), Peer.INTERNET);

    assertThat(directory.byNickname("bob"))
        .extracting(Peer::addressText)
        .containsExactly("10.0.0.1:1", "10.0.0.1:2");
    assertThat(directory.byNickname("dave")).isEmpty();
  }

  @Test
  void aNewNicknameAtAKnownAddressIsARename() {
    directory.upsert("bob", at(1), Peer.LAN);
    assertThat(directory.upsert("robert", at(1), Peer.LAN)).isEqualTo(PeerDirectory.Change.RENAMED);
    assertThat(directory.peers()).extracting(Peer::nickname).containsExactly("robert");
    assertThat(changes).endsWith("renamed bob robert");
  }

  @Test
  void expiresOnlySilentPeersOfTheGivenSource() {
    directory.upsert("old", at(1), Peer.LAN);
    directory.upsert("remote", at(2), "internet");
    clock.addAndGet(Duration.ofSeconds(10).toNanos());
    directory.upsert("fresh", at(3), Peer.LAN);
    clock.addAndGet(Duration.ofSeconds(6).toNanos());

    assertThat(directory.expire(Peer.LAN, Duration.ofSeconds(15)))
        .extracting(Peer::nickname)
        .containsExactly("old");
    assertThat(directory.peers()).extracting(Peer::nickname).containsExactly("fresh", "remote");
    assertThat(changes).endsWith("left old TIMEOUT");
  }

  @Test
  void removesByNicknameOnlyAtTheGivenIp() throws Exception {
    directory.upsert("bob", at(1), Peer.LAN);
    directory.upsert("bob", new InetSocketAddress("10.0.0.2", 1), Peer.LAN);
    directory.removeByNickname("bob", InetAddress.getByName("10.0.0.1"), Peer.LAN);
    assertThat(directory.peers()).extracting(Peer::addressText).containsExactly("10.0.0.2:1");
  }

  @Test
  void formatsAddressesWithoutNameLookup() {
    assertThat(new Peer("a", at(5), Peer.LAN).qualifiedName()).isEqualTo("a@10.0.0.1:5");
    assertThat(Peer.format(new InetSocketAddress("::1", 7))).isEqualTo("[0:0:0:0:0:0:0:1]:7");
  }
}
