package io.parlance.client.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ConnectionLimitHandlerTest {

  private final AtomicLong clock = new AtomicLong(1_000_000_000L);
  private final List<EmbeddedChannel> channels = new ArrayList<>();

  @AfterEach
  void closeEverything() {
    channels.forEach(EmbeddedChannel::finishAndReleaseAll);
  }

  private ConnectionLimitHandler limit(int max, int perAddress, int reserve, Set<String> known) {
    Predicate<Channel> isKnown =
        ch -> known.contains(((InetSocketAddress) ch.remoteAddress()).getHostString());
    return new ConnectionLimitHandler(
        InboundLimits.DEFAULTS
            .withMaxConnections(max)
            .withAddressLimits(perAddress, reserve)
            .withTimeouts(Duration.ofSeconds(10), Duration.ofMinutes(5)),
        isKnown,
        clock::get);
  }

  /** A connection from the given IP address, through the handler. */
  private EmbeddedChannel connect(ConnectionLimitHandler limit, String ip) {
    InetSocketAddress remote = new InetSocketAddress(ip, 40000 + channels.size());
    EmbeddedChannel channel =
        new EmbeddedChannel(limit) {
          @Override
          protected SocketAddress remoteAddress0() {
            return remote;
          }
        };
    channels.add(channel);
    return channel;
  }

  private void later(long millis) {
    clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(millis));
  }

  private static void deliverLine(ConnectionLimitHandler limit, EmbeddedChannel channel) {
    channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {'{', '}', '\n'}));
    limit.lineDelivered(channel);
    channel.releaseInbound();
  }

  @Test
  void keepsAKnownPeersNewConnectionWhenEverySlotIsBusyRatherThanLoseWhatItCarries() {
    ConnectionLimitHandler limit = limit(2, 2, 0, Set.of("198.18.0.3"));
    EmbeddedChannel first = connect(limit, "198.18.0.1");
    EmbeddedChannel second = connect(limit, "198.18.0.2");
    EmbeddedChannel known = connect(limit, "198.18.0.3");

    assertThat(List.of(first, second, known)).allMatch(Channel::isOpen);
    assertThat(limit.open()).isEqualTo(3);
    assertThat(limit.rejected()).isZero();
    assertThat(limit.evicted()).isZero();
  }

  @Test
  void keepsAStrangersNewConnectionToo() {
    ConnectionLimitHandler limit = limit(2, 2, 0, Set.of());
    connect(limit, "198.18.0.1");
    connect(limit, "198.18.0.2");
    EmbeddedChannel third = connect(limit, "198.18.0.3");

    assertThat(third.isOpen()).isTrue();
    assertThat(limit.rejected()).isZero();
  }

  @Test
  void refusesConnectionsPastTheOvershootWhileEverySlotIsBusy() {
    ConnectionLimitHandler limit = limit(2, 1000, 0, Set.of("198.18.7.1", "198.18.8.1"));
    for (int i = 0; i < 2 + ConnectionLimitHandler.OVERSHOOT; i++) {
      connect(limit, "198.18.7.1");
    }
    EmbeddedChannel past = connect(limit, "198.18.8.1");

    assertThat(past.isOpen()).isFalse();
    assertThat(limit.open()).isEqualTo(2 + ConnectionLimitHandler.OVERSHOOT);
    assertThat(limit.rejected()).isEqualTo(1);
  }

  @Test
  void anAddressHoldingItsShareWithBusyConnectionsHasNewOnesRefusedAndOthersStillGetIn() {
    ConnectionLimitHandler limit = limit(10, 3, 0, Set.of());
    List<EmbeddedChannel> hoard = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      hoard.add(connect(limit, "198.18.0.66"));
    }
    later(1100);
    for (EmbeddedChannel c : hoard) { // slowloris: a byte now and then, never a line
      c.writeInbound(Unpooled.wrappedBuffer(new byte[] {'{'}));
      c.releaseInbound();
    }

    EmbeddedChannel more = connect(limit, "198.18.0.66");

    assertThat(more.isOpen()).isFalse();
    assertThat(hoard).allMatch(Channel::isOpen);
    assertThat(limit.rejected()).isEqualTo(1);
    assertThat(connect(limit, "198.18.0.7").isOpen()).isTrue();
  }

  @Test
  void idleConnectionsOfOneAddressGiveWayToItsNewOnesSoItNeverHoldsMoreThanItsShare() {
    ConnectionLimitHandler limit = limit(100, 3, 0, Set.of());
    for (int i = 0; i < 3; i++) {
      connect(limit, "198.18.0.66");
    }
    for (int round = 0; round < 5; round++) {
      later(1100);
      connect(limit, "198.18.0.66");
    }

    assertThat(channels.stream().filter(Channel::isOpen)).hasSize(3);
    assertThat(limit.evicted()).isEqualTo(5);
    assertThat(limit.rejected()).isZero();
  }

  @Test
  void manyFreshConnectionsFromOneAddressAreNotRefusedWhileTheyHaveNotSettled() {
    // A sender that opens one connection per message, faster than the listener reads them.
    ConnectionLimitHandler limit = limit(100, 3, 0, Set.of());
    for (int i = 0; i < 20; i++) {
      connect(limit, "198.18.0.67");
    }

    assertThat(channels).allMatch(Channel::isOpen);
  }

  @Test
  void aFullAddressGivesUpItsLongestIdleConnectionForANewOne() {
    ConnectionLimitHandler limit = limit(10, 2, 0, Set.of());
    EmbeddedChannel oldest = connect(limit, "198.18.0.5");
    later(500);
    EmbeddedChannel younger = connect(limit, "198.18.0.5");
    later(1100); // the oldest has been silent 1.6 s, the younger 1.1 s

    EmbeddedChannel fresh = connect(limit, "198.18.0.5");

    assertThat(fresh.isOpen()).isTrue();
    assertThat(oldest.isOpen()).isFalse();
    assertThat(younger.isOpen()).isTrue();
    assertThat(limit.evicted()).isEqualTo(1);
    assertThat(limit.open()).isEqualTo(2);
  }

  @Test
  void aConnectionThatDeliveredALineMakesRoomAtOnceWhileAHalfSentOneDoesNot() {
    ConnectionLimitHandler limit = limit(2, 2, 0, Set.of());
    EmbeddedChannel halfSent = connect(limit, "198.18.0.8");
    EmbeddedChannel delivered = connect(limit, "198.18.0.9");
    deliverLine(limit, delivered);
    later(10);
    halfSent.writeInbound(Unpooled.wrappedBuffer(new byte[] {'{'}));
    halfSent.releaseInbound();

    EmbeddedChannel fresh = connect(limit, "198.18.0.10");

    assertThat(fresh.isOpen()).isTrue();
    assertThat(delivered.isOpen()).isFalse();
    assertThat(halfSent.isOpen()).isTrue();
  }

  @Test
  void aValidLineNowAndThenNoLongerKeepsASlotFromANewcomer() {
    ConnectionLimitHandler limit = limit(3, 3, 0, Set.of());
    List<EmbeddedChannel> holders = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      EmbeddedChannel holder = connect(limit, "198.18.1." + i);
      deliverLine(limit, holder);
      holders.add(holder);
    }
    later(TimeUnit.MINUTES.toMillis(4));
    holders.forEach(h -> deliverLine(limit, h)); // "a valid line every 4 minutes"

    EmbeddedChannel newcomer = connect(limit, "198.18.2.1");

    assertThat(newcomer.isOpen()).isTrue();
    assertThat(holders.stream().filter(Channel::isOpen)).hasSize(2);
  }

  @Test
  void aStrangerMakesRoomAmongStrangersWhileAKnownPeerTakesAReservedSlot() {
    ConnectionLimitHandler limit = limit(5, 5, 2, Set.of("198.18.0.1"));
    for (int i = 0; i < 3; i++) {
      connect(limit, "198.18.3." + i);
    }
    later(1100);

    EmbeddedChannel stranger = connect(limit, "198.18.3.9");
    assertThat(limit.evicted()).isEqualTo(1);
    EmbeddedChannel friend = connect(limit, "198.18.0.1");
    EmbeddedChannel friend2 = connect(limit, "198.18.0.1");

    assertThat(List.of(stranger, friend, friend2)).allMatch(Channel::isOpen);
    assertThat(limit.evicted()).isEqualTo(1);
    assertThat(limit.open()).isEqualTo(5);
  }

  @Test
  void aKnownPeersIdleConnectionIsNeverClosedForAStranger() {
    ConnectionLimitHandler limit = limit(2, 2, 1, Set.of("198.18.0.1"));
    EmbeddedChannel friend = connect(limit, "198.18.0.1");
    EmbeddedChannel stranger = connect(limit, "198.18.4.1");
    later(TimeUnit.MINUTES.toMillis(1));

    EmbeddedChannel another = connect(limit, "198.18.4.2");

    assertThat(friend.isOpen()).isTrue();
    assertThat(stranger.isOpen()).isFalse();
    assertThat(another.isOpen()).isTrue();
  }

  @Test
  void closesAConnectionFromAnUnknownAddressThatSendsNoLineInTime() {
    ConnectionLimitHandler limit = limit(10, 10, 0, Set.of("198.18.0.1"));
    EmbeddedChannel slow = connect(limit, "198.18.5.1");
    EmbeddedChannel prompt = connect(limit, "198.18.5.2");
    EmbeddedChannel friend = connect(limit, "198.18.0.1");
    deliverLine(limit, prompt);

    for (EmbeddedChannel c : List.of(slow, prompt, friend)) {
      c.advanceTimeBy(10, TimeUnit.SECONDS);
      c.runScheduledPendingTasks();
    }

    assertThat(slow.isOpen()).isFalse();
    assertThat(prompt.isOpen()).isTrue();
    assertThat(friend.isOpen()).isTrue();
    assertThat(limit.timedOut()).isEqualTo(1);
  }

  @Test
  void aConnectionLeavesNoTimerBehindOnceItDeliveredALineOrClosed() {
    ConnectionLimitHandler limit = limit(10, 10, 0, Set.of());
    EmbeddedChannel silent = connect(limit, "198.18.6.1");
    EmbeddedChannel prompt = connect(limit, "198.18.6.2");
    EmbeddedChannel gone = connect(limit, "198.18.6.3");

    deliverLine(limit, prompt);
    gone.close();

    // The silent one still has its checks (settle after 1 s, the first-line deadline); the
    // others have none left in their event loop's queue (-1: nothing scheduled).
    assertThat(silent.runScheduledPendingTasks()).isPositive();
    assertThat(prompt.runScheduledPendingTasks()).isEqualTo(-1);
    assertThat(gone.runScheduledPendingTasks()).isEqualTo(-1);
    assertThat(prompt.isOpen()).isTrue();
  }

  @Test
  void budgetsUnfinishedLinesPerAddressAndGivesThemBack() {
    ConnectionLimitHandler limit =
        new ConnectionLimitHandler(
            InboundLimits.DEFAULTS.withLines(1000, 100, 150, 1000), ch -> false, clock::get);
    EmbeddedChannel a1 = connect(limit, "198.18.6.1");
    EmbeddedChannel a2 = connect(limit, "198.18.6.1");
    EmbeddedChannel b = connect(limit, "198.18.6.2");
    var budgetA1 = limit.budget(a1);
    var budgetA2 = limit.budget(a2);
    var budgetB = limit.budget(b);

    assertThat(budgetA1.reserve(60)).isNull();
    assertThat(budgetA2.reserve(60)).contains("60 bytes of unfinished lines");
    assertThat(budgetB.reserve(80)).isNull();
    assertThat(budgetB.reserve(20)).contains("the listener holds 140 bytes");
    budgetA1.release(60);
    assertThat(budgetA2.reserve(60)).isNull();
    assertThat(limit.pendingBytes()).isEqualTo(140);
  }
}
