package io.parlance.client.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PeerIdTest {

  @Test
  void anIdIsThirteenGroupsOfFourBase32Characters() {
    PeerId id = Identity.generate().id();
    assertThat(id.value()).matches("([A-Z2-7]{4}-){12}[A-Z2-7]{4}");
    assertThat(id.shortForm()).isEqualTo(id.value().substring(0, 4));
  }

  @Test
  void parsingAcceptsWhatPeopleTypeAndGivesTheCanonicalForm() {
    PeerId id = Identity.generate().id();
    assertThat(PeerId.parse(id.value().toLowerCase().replace("-", " "))).isEqualTo(id);
    assertThat(PeerId.parse(id.value().replace("-", ""))).isEqualTo(id);
  }

  @Test
  void malformedIdsAreRejected() {
    assertThatThrownBy(() -> PeerId.parse("ABCD")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> PeerId.parse("1".repeat(52)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new PeerId("A".repeat(52))).hasMessageContaining("canonical form");
  }
}
