package io.parlance.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The relay URL a server names in offers routed across the cluster. */
class PublicUrlTest {

  @Test
  void aGivenUrlKeepsItsPathPrefixAndGetsTheRelayPath() {
    assertThat(PublicUrl.relayUrl("wss://bs1.example.org/parlance/", false, "0.0.0.0", 8080))
        .isEqualTo("wss://bs1.example.org/parlance/relay");
    assertThat(PublicUrl.relayUrl("ws://bs1:8080", true, "127.0.0.1", 9))
        .isEqualTo("ws://bs1:8080/relay");
  }

  @Test
  void withoutOneItFollowsTheBoundHostPortAndTls() {
    assertThat(PublicUrl.relayUrl(null, false, "127.0.0.1", 8080))
        .isEqualTo("ws://127.0.0.1:8080/relay");
    assertThat(PublicUrl.relayUrl(null, true, "::1", 8443)).isEqualTo("wss://[::1]:8443/relay");
    assertThat(PublicUrl.relayUrl(null, false, "0.0.0.0", 8080))
        .startsWith("ws://")
        .doesNotContain("0.0.0.0")
        .endsWith(":8080/relay");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "http://bs1:8080",
        "bs1:8080",
        "ws://",
        "ws://bs1:8080/?a=b",
        "ws://u:p@bs1:8080",
        "ws://bs1:8080/#x",
        "ws://bs1 8080",
        "\u001b[2Jws://bs1"
      })
  void aBadUrlIsRefusedSayingWhatOneLooksLike(String url) {
    assertThatThrownBy(() -> BootstrapServerConfig.builder().publicUrl(url).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--public-url must be")
        .hasMessageNotContaining("\u001b");
  }
}
