package io.parlance.client.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class NodeOptionsTest {

  @Test
  void aNodeOffersEncryptionAndAcknowledgementsByDefault() {
    assertThat(NodeOptions.builder("alice").build().capabilities()).containsExactly("tls", "ack");
  }

  @Test
  void capabilitiesCanBeLeftOutAndSurviveACopy() {
    NodeOptions options = NodeOptions.builder("alice").capabilities(List.of("ack")).build();

    assertThat(options.capabilities()).containsExactly("ack");
    assertThat(options.toBuilder().build().capabilities()).containsExactly("ack");
    assertThat(NodeOptions.builder("alice").capabilities(List.of()).build().capabilities())
        .isEmpty();
  }

  @Test
  void anUnknownOrRepeatedCapabilityIsRefusedNamingTheKnownOnes() {
    assertThatThrownBy(
            () -> NodeOptions.builder("alice").capabilities(List.of("tls", "zip")).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown capability 'zip'; known: tls, ack");
    assertThatThrownBy(
            () -> NodeOptions.builder("alice").capabilities(List.of("ack", "ack")).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("listed twice");
  }
}
