package io.parlance.bootstrap.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class NicknameHoldsTest {

  private final AtomicLong now = new AtomicLong(1_000_000);
  private final NicknameHolds holds = new NicknameHolds(Duration.ofMinutes(10), 3, now::get);

  @Test
  void aReleasedNicknameIsReservedForItsKeyOnlyUntilTheHoldEnds() {
    holds.released("alice", "KEY-A");
    assertThat(holds.reservedAgainst("alice", null)).contains(Duration.ofMinutes(10));
    assertThat(holds.reservedAgainst("alice", "KEY-M")).isPresent();
    assertThat(holds.reservedAgainst("alice", "KEY-A")).isEmpty();
    assertThat(holds.reservedAgainst("bob", null)).isEmpty();
    now.addAndGet(Duration.ofMinutes(10).toMillis());
    assertThat(holds.reservedAgainst("alice", null)).isEmpty();
    assertThat(holds.size()).isZero();
  }

  @Test
  void atMostMaxHoldsAreKeptTheOldestDroppedFirst() {
    for (String n : new String[] {"a", "b", "c", "d"}) {
      holds.released(n, "KEY-" + n);
      now.incrementAndGet();
    }
    assertThat(holds.size()).isEqualTo(3);
    assertThat(holds.reservedAgainst("a", null)).isEmpty();
    assertThat(holds.reservedAgainst("d", null)).isPresent();
  }

  @Test
  void aNewReleaseByAnotherKeyReplacesTheHold() {
    holds.released("alice", "KEY-A");
    holds.released("alice", "KEY-B");
    assertThat(holds.reservedAgainst("alice", "KEY-B")).isEmpty();
    assertThat(holds.reservedAgainst("alice", "KEY-A")).isPresent();
  }

  @Test
  void aZeroHoldReservesNothing() {
    NicknameHolds none = new NicknameHolds(Duration.ZERO, 10, now::get);
    none.released("alice", "KEY-A");
    assertThat(none.reservedAgainst("alice", null)).isEmpty();
  }
}
