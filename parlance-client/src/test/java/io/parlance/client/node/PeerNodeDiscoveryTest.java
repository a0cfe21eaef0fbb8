package io.parlance.client.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.parlance.client.peer.Peer;
import io.parlance.client.peer.PeerDirectory.LeaveReason;
import io.parlance.client.testing.TestNodes;
import io.parlance.client.testing.TestNodes.Started;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PeerNodeDiscoveryTest {

  private final TestNodes nodes = new TestNodes();

  @AfterEach
  void stopNodes() {
    nodes.close();
  }

  @Test
  void twoPeersDiscoverEachOtherBothWays() throws Exception {
    Started alice = nodes.start(nodes.nick("alice"));
    Started bob = nodes.start(nodes.nick("bob"));

    await().atMost(Duration.ofSeconds(3)).until(() -> alice.sees(nodes.nick("bob")));
    await().atMost(Duration.ofSeconds(3)).until(() -> bob.sees(nodes.nick("alice")));
    Peer seenByAlice = alice.node().peers().get(0);
    TestNodes.assertLoopback(seenByAlice.address(), bob.node().tcpPort());
    assertThat(seenByAlice.source()).isEqualTo(Peer.LAN);
    assertThat(alice.events(NodeEvent.Ready.class))
        .singleElement()
        .satisfies(r -> assertThat(r.tcpPort()).isEqualTo(alice.node().tcpPort()));
  }

  @Test
  void aNewcomerIsAnsweredAtOnceNotAtTheNextTick() throws Exception {
    // A long interval: only the prompt reply to a newcomer can make the first peer known in time.
    Started alice =
        nodes.start(
            nodes
                .options(nodes.nick("alice"))
                .announceInterval(Duration.ofMinutes(1))
                .peerTimeout(Duration.ofMinutes(3))
                .build());
    Started bob =
        nodes.start(
            nodes
                .options(nodes.nick("bob"))
                .announceInterval(Duration.ofMinutes(1))
                .peerTimeout(Duration.ofMinutes(3))
                .build());

    await().atMost(Duration.ofSeconds(2)).until(() -> bob.sees(nodes.nick("alice")));
    await().atMost(Duration.ofSeconds(2)).until(() -> alice.sees(nodes.nick("bob")));
  }

  @Test
  void theLastOfACrowdIsAnsweredAtOnceEvenWithinTheReplyGap() throws Exception {
    // A reply gap of an hour: after answering its first newcomer on the group, a peer answers the
    // group again only an hour later, so carol can learn of alice and bob only by their unicast
    // answers.
    Started alice = nodes.start(crowd("alice"));
    Started bob = nodes.start(crowd("bob"));
    await().atMost(Duration.ofSeconds(3)).until(() -> alice.sees(nodes.nick("bob")));
    await().atMost(Duration.ofSeconds(3)).until(() -> bob.sees(nodes.nick("alice")));

    Started carol = nodes.start(crowd("carol"));

    await()
        .atMost(Duration.ofSeconds(3))
        .until(() -> carol.sees(nodes.nick("alice")) && carol.sees(nodes.nick("bob")));
    assertThat(carol.node().peers()).allSatisfy(p -> assertThat(p.id()).isNotNull());
  }

  private NodeOptions crowd(String name) {
    return nodes
        .options(nodes.nick(name))
        .announceInterval(Duration.ofMinutes(1))
        .peerTimeout(Duration.ofMinutes(3))
        .replyMinGap(Duration.ofHours(1))
        .build();
  }

  @Test
  void aGoodbyeRemovesThePeerAtOnce() throws Exception {
    Started alice =
        nodes.start(
            nodes
                .options(nodes.nick("alice"))
                .peerTimeout(Duration.ofMinutes(5))
                .announceInterval(Duration.ofMinutes(1))
                .build());
    Started bob = nodes.start(nodes.nick("bob"));
    await().atMost(Duration.ofSeconds(3)).until(() -> alice.sees(nodes.nick("bob")));

    bob.node().stop();

    await().atMost(Duration.ofSeconds(2)).until(() -> !alice.sees(nodes.nick("bob")));
    awaitPeerLeftEvent(alice);
    assertThat(alice.events(NodeEvent.PeerLeft.class))
        .singleElement()
        .satisfies(e -> assertThat(e.reason()).isEqualTo(LeaveReason.GOODBYE));
  }

  @Test
  void aSilentPeerIsDroppedAfterTheTimeout() throws Exception {
    Started alice =
        nodes.start(
            nodes
                .options(nodes.nick("alice"))
                .announceInterval(Duration.ofMillis(500))
                .peerTimeout(Duration.ofMillis(1500))
                .build());
    // Bob announces once, then never again, and leaves without a goodbye.
    Started bob =
        nodes.start(
            nodes
                .options(nodes.nick("bob"))
                .announceInterval(Duration.ofMinutes(5))
                .peerTimeout(Duration.ofMinutes(10))
                .build());
    await().atMost(Duration.ofSeconds(3)).until(() -> alice.sees(nodes.nick("bob")));
    long heard = System.nanoTime();

    await().atMost(Duration.ofSeconds(5)).until(() -> !alice.sees(nodes.nick("bob")));
    assertThat(Duration.ofNanos(System.nanoTime() - heard)).isGreaterThan(Duration.ofSeconds(1));
    awaitPeerLeftEvent(alice);
    assertThat(alice.events(NodeEvent.PeerLeft.class))
        .singleElement()
        .satisfies(e -> assertThat(e.reason()).isEqualTo(LeaveReason.TIMEOUT));
    assertThat(bob.node().isRunning()).isTrue();
  }

  @Test
  void ourOwnAnnounceIsNotListedButAnotherPeerWithOurNicknameIs() throws Exception {
    String alice = nodes.nick("alice");
    Started first = nodes.start(alice);
    Started second = nodes.start(alice);

    await().atMost(Duration.ofSeconds(3)).until(() -> first.sees(alice) && second.sees(alice));
    assertThat(first.node().peers())
        .extracting(Peer::address)
        .singleElement()
        .satisfies(a -> TestNodes.assertLoopback(a, second.node().tcpPort()));
    assertThat(second.node().peers())
        .extracting(Peer::address)
        .singleElement()
        .satisfies(a -> TestNodes.assertLoopback(a, first.node().tcpPort()));
  }

  @Test
  void aRenamedPeerIsAnnouncedUnderItsNewNickname() throws Exception {
    Started alice = nodes.start(nodes.nick("alice"));
    Started bob = nodes.start(nodes.nick("bob"));
    await().atMost(Duration.ofSeconds(3)).until(() -> alice.sees(nodes.nick("bob")));

    bob.node().changeNickname(nodes.nick("robert"));

    await().atMost(Duration.ofSeconds(2)).until(() -> alice.sees(nodes.nick("robert")));
    assertThat(alice.sees(nodes.nick("bob"))).isFalse();
    // the event comes on the node's event thread, just after the directory changed
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> !alice.events(NodeEvent.PeerRenamed.class).isEmpty());
    assertThat(alice.events(NodeEvent.PeerRenamed.class)).hasSize(1);
  }

  /** Listeners hear of a departure on the node's event thread, just after the directory changed. */
  private static void awaitPeerLeftEvent(Started node) {
    await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> !node.events(NodeEvent.PeerLeft.class).isEmpty());
  }
}
