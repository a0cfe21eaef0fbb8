package io.parlance.client.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import io.parlance.client.peer.Peer;
import io.parlance.client.peer.PeerDirectory;
import io.parlance.client.security.Identity;
import io.parlance.client.security.SignedDiscovery;
import io.parlance.client.testing.LogCapture;
import io.parlance.protocol.LogLimiter;
import io.parlance.protocol.codec.DiscoveryDecoder;
import io.parlance.protocol.json.WireJson;
import io.parlance.protocol.wire.Announce;
import io.parlance.protocol.wire.Goodbye;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Announces and goodbyes that carry an identity are believed only when their signature holds. */
class SignedDiscoveryHandlerTest {

  private static final InetSocketAddress GROUP = new InetSocketAddress("239.255.255.250", 6789);
  private static final InetSocketAddress US = new InetSocketAddress("127.0.0.1", 41000);
  private static final InetSocketAddress BOB_HOST = new InetSocketAddress("10.0.0.7", 50001);
  private static final InetSocketAddress MALLORY_HOST = new InetSocketAddress("10.0.0.66", 50009);

  private static final Identity BOB = Identity.generate();
  private static final Identity MALLORY = Identity.generate();
  private static final SignedDiscovery BOB_SIGNS = new SignedDiscovery(BOB, List.of("tls", "ack"));
  private static final SignedDiscovery MALLORY_SIGNS = new SignedDiscovery(MALLORY, List.of("tls"));

  private final PeerDirectory directory = new PeerDirectory();
  private final List<String> left = new ArrayList<>();
  private final List<String> newcomers = new ArrayList<>();
  private final DiscoveryHandler handler =
      new DiscoveryHandler(
          directory,
          Set.of(US.getAddress()),
          () -> 5000,
          (sender, signed) -> newcomers.add(Peer.format(sender) + (signed ? " signed" : " plain")));
  private final EmbeddedChannel channel = new EmbeddedChannel(DiscoveryDecoder.INSTANCE, handler);

  SignedDiscoveryHandlerTest() {
    directory.listener(
        new PeerDirectory.Listener() {
          @Override
          public void joined(Peer peer) {}

          @Override
          public void renamed(Peer before, Peer after) {}

          @Override
          public void left(Peer peer, PeerDirectory.LeaveReason reason) {
            left.add(peer.nickname() + ":" + reason);
          }
        });
  }

  @AfterEach
  void release() {
    channel.finishAndReleaseAll();
  }

  private void receive(Object message, InetSocketAddress from) {
    replay(WireJson.toBytes(message), from);
  }

  private void replay(byte[] datagram, InetSocketAddress from) {
    channel.writeInbound(new DatagramPacket(Unpooled.wrappedBuffer(datagram), GROUP, from));
  }

  /** Bob's signer in one run of his peer, whose clock reads the given time when it signs. */
  private static SignedDiscovery bobStartedAt(long millis) {
    return new SignedDiscovery(BOB, List.of("tls", "ack"), () -> millis);
  }

  @Test
  void aRecordedGoodbyeReplayedAfterThePeerCameBackDoesNotRemoveIt() {
    SignedDiscovery monday = bobStartedAt(1_000_000);
    replay(WireJson.toBytes(monday.announce("bob", 7000)), BOB_HOST);
    byte[] recordedGoodbye = WireJson.toBytes(monday.goodbye("bob"));
    replay(recordedGoodbye, BOB_HOST);
    assertThat(directory.peers()).isEmpty();

    receive(bobStartedAt(2_000_000).announce("bob", 7000), BOB_HOST);
    for (int i = 0; i < 40; i++) {
      replay(recordedGoodbye, BOB_HOST);
    }

    assertThat(directory.peers())
        .singleElement()
        .satisfies(p -> assertThat(p.id()).isEqualTo(BOB.id()));
    assertThat(left).containsExactly("bob:GOODBYE");
    assertThat(handler.replays()).isEqualTo(40);
  }

  @Test
  void aRecordedAnnounceReplayedAfterTheGoodbyeDoesNotBringThePeerBack() {
    SignedDiscovery run = bobStartedAt(1_000_000);
    byte[] recordedAnnounce = WireJson.toBytes(run.announce("bob", 7000));
    replay(recordedAnnounce, BOB_HOST);
    receive(run.goodbye("bob"), BOB_HOST);

    replay(recordedAnnounce, BOB_HOST);
    replay(recordedAnnounce, MALLORY_HOST);

    assertThat(directory.peers()).isEmpty();
    assertThat(newcomers).containsExactly(Peer.format(BOB_HOST) + " signed");
  }

  @Test
  void anAnnounceFromAnEarlierRunCannotMoveThePeerBackToItsOldAddress() {
    byte[] lastWeek = WireJson.toBytes(bobStartedAt(1_000_000).announce("bob", 6000));
    receive(bobStartedAt(2_000_000).announce("bob", 7000), BOB_HOST);

    replay(lastWeek, new InetSocketAddress("10.0.0.9", 50001));

    assertThat(directory.peers())
        .singleElement()
        .satisfies(p -> assertThat(p.addressText()).isEqualTo("10.0.0.7:7000"));
  }

  @Test
  void theSameAnnounceRepeatedEveryFewSecondsKeepsThePeer() {
    SignedDiscovery run = bobStartedAt(1_000_000);
    for (int i = 0; i < 5; i++) {
      receive(run.announce("bob", 7000), BOB_HOST);
    }

    assertThat(directory.peers()).hasSize(1);
    assertThat(handler.replays()).isZero();
  }

  @Test
  void anAnnounceStrippedOfItsSequenceNumberIsRefusedOnceOneWasHeard() {
    Announce fresh = bobStartedAt(2_000_000).announce("bob", 7000);
    receive(fresh, BOB_HOST);

    Announce stripped = new Announce("bob", 6000, fresh.id(), fresh.key(), fresh.caps(), null);
    receive(stripped.withSig(sign(BOB, stripped.signedPayload())), BOB_HOST);

    assertThat(directory.peers())
        .singleElement()
        .satisfies(p -> assertThat(p.addressText()).isEqualTo("10.0.0.7:7000"));
  }

  @Test
  void aSequenceNumberChangedAfterSigningIsForged() {
    Announce fresh = bobStartedAt(1_000_000).announce("bob", 7000);
    receive(fresh.withSeq(fresh.seq() + 1_000_000, fresh.seqSig()), BOB_HOST);

    assertThat(directory.peers()).isEmpty();
    assertThat(handler.forgedAnnounces()).isEqualTo(1);
  }

  @Test
  void aGoodbyeWithAnIncreasedSequenceNumberButTheOldSignatureIsIgnored() {
    SignedDiscovery run = bobStartedAt(1_000_000);
    receive(run.announce("bob", 7000), BOB_HOST);
    Goodbye recorded = run.goodbye("bob");
    receive(bobStartedAt(2_000_000).announce("bob", 7000), BOB_HOST);

    receive(
        new Goodbye("bob", recorded.id(), recorded.sig(), 3_000_000L, recorded.seqSig()), BOB_HOST);

    assertThat(directory.peers()).hasSize(1);
  }

  @Test
  void anOlderPeerOfOursWithoutSequenceNumbersJoinsButOnlyTimesOut() {
    Announce legacy =
        new Announce(
            "bob", 7000, BOB.id().value(), BOB.encodedPublicKey(), List.of("tls", "ack"), null);
    receive(legacy.withSig(sign(BOB, legacy.signedPayload())), BOB_HOST);
    assertThat(directory.peers())
        .singleElement()
        .satisfies(p -> assertThat(p.id()).isEqualTo(BOB.id()));

    Goodbye unsequenced = new Goodbye("bob", BOB.id().value(), null);
    receive(new Goodbye("bob", BOB.id().value(), sign(BOB, unsequenced.signedPayload())), BOB_HOST);

    // Such a goodbye could be replayed at will, so it is not believed; the peer expires instead.
    assertThat(directory.peers()).hasSize(1);
  }

  @Test
  void anOlderPeerOfOursStillBelievesOurAnnouncesAndGoodbyes() {
    Announce announce = BOB_SIGNS.announce("bob", 7000);
    Goodbye goodbye = BOB_SIGNS.goodbye("bob");

    // What a peer from before sequence numbers checks: 'sig' over the payload without them.
    assertThat(Identity.verify(BOB.publicKey(), announce.signedPayload(), decode(announce.sig())))
        .isTrue();
    assertThat(SignedDiscovery.isSignedBy(goodbye, BOB.id(), BOB.publicKey())).isTrue();
    assertThat(goodbye.seq()).isGreaterThan(announce.seq());
  }

  @Test
  void aSignedAnnounceGivesThePeerItsProvenIdAndCapabilities() {
    receive(BOB_SIGNS.announce("bob", 7000), BOB_HOST);

    Peer bob = directory.peers().get(0);
    assertThat(bob.id()).isEqualTo(BOB.id());
    assertThat(bob.caps()).containsExactlyInAnyOrder("tls", "ack");
    assertThat(bob.has("tls")).isTrue();
    assertThat(newcomers).containsExactly(Peer.format(BOB_HOST) + " signed");
  }

  @Test
  void anAnnounceCarryingSomeoneElsesIdWithAnotherKeyIsIgnored() {
    Announce forged =
        new Announce(
            "bob", 7000, BOB.id().value(), MALLORY.encodedPublicKey(), List.of("tls"), null);
    receive(forged.withSig(sign(MALLORY, forged.signedPayload())), MALLORY_HOST);

    assertThat(directory.peers()).isEmpty();
    assertThat(handler.forgedAnnounces()).isEqualTo(1);
  }

  @Test
  void anAnnounceWithBobsKeyButAnotherSignatureIsIgnored() {
    Announce stolen = BOB_SIGNS.announce("bob", 7000);
    // Mallory keeps bob's id and key but changes the port: the signature no longer holds.
    Announce redirected =
        new Announce("bob", 6666, stolen.id(), stolen.key(), stolen.caps(), stolen.sig());
    receive(redirected, MALLORY_HOST);

    assertThat(directory.peers()).isEmpty();
  }

  @Test
  void anAnnounceWithOnlySomeIdentityFieldsIsIgnoredRatherThanTakenAsPlain() {
    receive(new Announce("bob", 7000, BOB.id().value(), null, null, null), MALLORY_HOST);
    receive(new Announce("bob", 7000, "not an id", BOB.encodedPublicKey(), null, "@@"), BOB_HOST);

    assertThat(directory.peers()).isEmpty();
  }

  @Test
  void anUnsignedAnnounceCannotStripTheIdentityOfASignedPeer() {
    receive(BOB_SIGNS.announce("bob", 7000), BOB_HOST);
    receive(new Announce("bob", 7000), new InetSocketAddress("10.0.0.7", 50099));

    assertThat(directory.peers()).singleElement().satisfies(p -> assertThat(p.id()).isNotNull());
  }

  @Test
  void theSameIdAtANewAddressMovesThePeerRatherThanAddingASecond() {
    receive(BOB_SIGNS.announce("bob", 7000), BOB_HOST);
    receive(BOB_SIGNS.announce("bob", 7001), new InetSocketAddress("10.0.0.8", 50001));

    assertThat(directory.peers())
        .singleElement()
        .satisfies(p -> assertThat(p.addressText()).isEqualTo("10.0.0.8:7001"));
    assertThat(left).containsExactly("bob:MOVED");
  }

  @Test
  void twoPeersWithOneNicknameButTwoIdsAreBothKept() {
    receive(BOB_SIGNS.announce("bob", 7000), BOB_HOST);
    receive(MALLORY_SIGNS.announce("bob", 7000), MALLORY_HOST);

    assertThat(directory.byNickname("bob"))
        .extracting(Peer::id)
        .containsExactlyInAnyOrder(BOB.id(), MALLORY.id());
  }

  @Test
  void onlyAGoodbyeSignedByThePeersKeyRemovesIt() {
    receive(BOB_SIGNS.announce("bob", 7000), BOB_HOST);

    receive(new Goodbye("bob"), BOB_HOST);
    receive(MALLORY_SIGNS.goodbye("bob"), BOB_HOST);
    Goodbye claimed = new Goodbye("bob", BOB.id().value(), null);
    receive(new Goodbye("bob", BOB.id().value(), sign(MALLORY, claimed.signedPayload())), BOB_HOST);
    assertThat(directory.peers()).hasSize(1);

    receive(BOB_SIGNS.goodbye("bob"), BOB_HOST);
    assertThat(directory.peers()).isEmpty();
    assertThat(left).containsExactly("bob:GOODBYE");
  }

  @Test
  void aFloodOfForgedAndPlainAnnouncesLogsABoundedNumberOfLines() {
    Announce template =
        new Announce("bob", 7000, BOB.id().value(), MALLORY.encodedPublicKey(), null, null);
    String badSig = sign(MALLORY, template.signedPayload());
    try (LogCapture log = new LogCapture(DiscoveryHandler.class, PeerDirectory.class)) {
      for (int i = 0; i < 500; i++) {
        InetSocketAddress from = new InetSocketAddress("10.0.1." + (i % 250), 40_000 + i);
        receive(new Announce("bob" + i, 7000, template.id(), template.key(), null, badSig), from);
        receive(new Announce("plain" + i, 7000), from);
      }

      assertThat(handler.forgedAnnounces()).isEqualTo(500);
      // Ten warnings of forgeries, and fifty lines of peers joining, at most, in this burst.
      assertThat(log.events()).hasSizeLessThanOrEqualTo(LogLimiter.DEFAULT_BURST + 50 + 2);
    }
  }

  @Test
  void aPlainPeerStillJoinsAndLeavesWithPlainDatagrams() {
    receive(new Announce("rusty", 7000), MALLORY_HOST);
    assertThat(directory.peers())
        .singleElement()
        .satisfies(
            p -> {
              assertThat(p.id()).isNull();
              assertThat(p.caps()).isEmpty();
            });
    assertThat(newcomers).containsExactly(Peer.format(MALLORY_HOST) + " plain");

    receive(new Goodbye("rusty"), MALLORY_HOST);
    assertThat(directory.peers()).isEmpty();
  }

  private static byte[] decode(String base64) {
    return Base64.getDecoder().decode(base64);
  }

  private static String sign(Identity identity, byte[] payload) {
    return Base64.getEncoder().encodeToString(identity.sign(payload));
  }
}
