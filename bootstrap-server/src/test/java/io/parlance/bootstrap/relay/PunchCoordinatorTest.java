package io.parlance.bootstrap.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.parlance.protocol.bootstrap.PunchFrames;
import io.parlance.protocol.bootstrap.ServerFrame;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The hole-punch coordination on its own: tokens, consent, the go, the limits, hostile tokens. */
class PunchCoordinatorTest {

  private static final String ALICE = id('A');
  private static final String BOB = id('B');

  /** A peer id in canonical form, made of one letter. */
  private static String id(char c) {
    return String.join("-", java.util.Collections.nCopies(13, String.valueOf(c).repeat(4)));
  }

  private final AtomicLong now = new AtomicLong(1_000_000);
  private final PunchCoordinator punch = new PunchCoordinator(true, new SecureRandom(), now::get);
  private final List<ServerFrame> toAlice = new ArrayList<>();
  private final List<ServerFrame> toBob = new ArrayList<>();

  private static InetSocketAddress at(String ip, int port) throws Exception {
    return new InetSocketAddress(InetAddress.getByName(ip), port);
  }

  private PunchCoordinator.Opened open(String a, String b) {
    return punch.open(a, toAlice::add, b, toBob::add);
  }

  @Test
  void bothSidesGetTheOthersObservedMappingAndTheirRoleOnceBothFetchedTheirs() throws Exception {
    PunchCoordinator.Opened o = open(ALICE, BOB);
    assertThat(o.isRefused()).isFalse();
    assertThat(o.requesterToken()).hasSize(24).isNotEqualTo(o.targetToken());

    assertThat(punch.observe(o.requesterToken(), at("198.19.0.1", 40001)))
        .contains(at("198.19.0.1", 40001));
    assertThat(toAlice).isEmpty();
    assertThat(toBob).isEmpty();
    assertThat(punch.observe(o.targetToken(), at("198.19.0.2", 40002)))
        .contains(at("198.19.0.2", 40002));

    assertThat(toAlice)
        .containsExactly(
            new PunchFrames.Go(
                o.requesterToken(), BOB, "198.19.0.2:40002", PunchFrames.ROLE_CLIENT));
    assertThat(toBob)
        .containsExactly(
            new PunchFrames.Go(
                o.targetToken(), ALICE, "198.19.0.1:40001", PunchFrames.ROLE_SERVER));
    assertThat(punch.sessions()).isZero();
  }

  @Test
  void aTargetThatNeverFetchesItsMappingAgreedToNothingAndNobodyIsSentAGo() throws Exception {
    PunchCoordinator.Opened o = open(ALICE, BOB);
    punch.observe(o.requesterToken(), at("198.19.0.1", 40001));
    now.addAndGet(PunchCoordinator.TOKEN_TTL_MILLIS);

    assertThat(punch.observe(o.targetToken(), at("198.19.0.2", 40002))).isEmpty();
    assertThat(toAlice).isEmpty();
    assertThat(toBob).isEmpty();
    assertThat(punch.sessions()).isZero();
  }

  @Test
  void aTokenIsSpentByItsFirstUseSoItCannotMoveTheMappingToAnotherAddress() throws Exception {
    PunchCoordinator.Opened o = open(ALICE, BOB);
    assertThat(punch.observe(o.requesterToken(), at("198.19.0.1", 40001))).isPresent();
    assertThat(punch.observe(o.requesterToken(), at("203.0.113.9", 22))).isEmpty();
    punch.observe(o.targetToken(), at("198.19.0.2", 40002));

    assertThat(toBob)
        .singleElement()
        .extracting(f -> ((PunchFrames.Go) f).address())
        .isEqualTo("198.19.0.1:40001");
  }

  @Test
  void unknownMalformedAndHostileTokensAreRefusedAndChangeNothing() throws Exception {
    PunchCoordinator.Opened o = open(ALICE, BOB);
    InetSocketAddress somewhere = at("198.19.0.3", 1);
    for (String t :
        new String[] {
          null,
          "",
          "short",
          "x".repeat(24),
          o.requesterToken().substring(1) + "!",
          o.requesterToken() + "A",
          "../../../../etc/passwd/aa",
          "\u001b[2J" + "A".repeat(20),
          "A".repeat(100_000)
        }) {
      assertThat(punch.observe(t, somewhere)).as("token %s", t).isEmpty();
    }
    assertThat(punch.sessions()).isEqualTo(1);
    // the real tokens still work
    punch.observe(o.requesterToken(), at("198.19.0.1", 40001));
    punch.observe(o.targetToken(), at("198.19.0.2", 40002));
    assertThat(toAlice).hasSize(1);
  }

  @Test
  void onePunchPerOrderedPairPerIntervalTheOtherDirectionMayAskToo() {
    assertThat(open(ALICE, BOB).isRefused()).isFalse();
    PunchCoordinator.Opened again = open(ALICE, BOB);
    assertThat(again.isRefused()).isTrue();
    assertThat(again.refusal()).contains("try again later");
    assertThat(open(BOB, ALICE).isRefused()).isFalse();

    now.addAndGet(PunchCoordinator.PAIR_INTERVAL_MILLIS);
    assertThat(open(ALICE, BOB).isRefused()).isFalse();
    assertThat(punch.refused()).isEqualTo(1);
  }

  @Test
  void aPeerTakesPartInAtMostFourPunchesAtOnceAndNoneWithItself() {
    for (int i = 0; i < PunchCoordinator.MAX_PER_PEER; i++) {
      assertThat(open(ALICE, id((char) ('C' + i))).isRefused()).isFalse();
    }
    PunchCoordinator.Opened fifth = open(ALICE, id('Z'));
    assertThat(fifth.isRefused()).isTrue();
    assertThat(fifth.refusal()).contains("under way already");
    // the target of a refused punch keeps its slots
    PunchCoordinator.Opened toFull = open(id('Z'), ALICE);
    assertThat(toFull.refusal()).contains("that peer has as many");
    assertThat(open(id('Y'), id('Z')).isRefused()).isFalse();

    assertThat(open(BOB, BOB).refusal()).contains("itself");

    // expired sessions free the slots
    now.addAndGet(PunchCoordinator.TOKEN_TTL_MILLIS + PunchCoordinator.PAIR_INTERVAL_MILLIS);
    assertThat(open(ALICE, id('Z')).isRefused()).isFalse();
    assertThat(punch.sessions()).isEqualTo(1);
  }

  @Test
  void aServerThatRelaysNothingCoordinatesNoPunch() {
    PunchCoordinator off = new PunchCoordinator(false, new SecureRandom(), now::get);
    PunchCoordinator.Opened o = off.open(ALICE, toAlice::add, BOB, toBob::add);
    assertThat(o.isRefused()).isTrue();
    assertThat(o.refusal()).contains("does not coordinate");
  }
}
