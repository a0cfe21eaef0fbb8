package io.parlance.client.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class MessageIdsTest {

  @Test
  void anIdIsAVersion7UuidCarryingItsMillisecond() {
    long millis = 1_796_000_000_123L;
    String id = MessageIds.next(millis);
    UUID uuid = UUID.fromString(id);
    assertThat(uuid.toString()).isEqualTo(id);
    assertThat(uuid.version()).isEqualTo(7);
    assertThat(uuid.variant()).isEqualTo(2); // RFC 9562 (formerly RFC 4122)
    assertThat(uuid.getMostSignificantBits() >>> 16).isEqualTo(millis);
  }

  @Test
  void idsOfLaterMillisecondsSortAfterEarlierOnesAsStrings() {
    List<String> made = new ArrayList<>();
    for (long millis = 1_700_000_000_000L; millis < 1_700_000_000_000L + 5_000; millis += 7) {
      made.add(MessageIds.next(millis));
    }
    List<String> sorted = new ArrayList<>(made);
    sorted.sort(null);
    assertThat(sorted).isEqualTo(made);
  }

  @Test
  void idsOfOneMillisecondAreUniqueByTheirRandomBits() {
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 100_000; i++) {
      ids.add(MessageIds.next(42));
    }
    assertThat(ids).hasSize(100_000);
    // The random bits vary across the whole 74 of them, not only at the bottom.
    Set<Long> randA = new HashSet<>();
    for (String id : ids) {
      randA.add(UUID.fromString(id).getMostSignificantBits() & 0x0fff);
    }
    assertThat(randA).hasSizeGreaterThan(4_000);
  }
}
