package io.parlance.client.internet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class BootstrapClientOptionsTest {

  @ParameterizedTest
  @CsvSource({
    "ws://host:8080, ws://host:8080/",
    "wss://example.org, wss://example.org/",
    "WS://Host:1/parlance, ws://Host:1/parlance",
  })
  void acceptsWsAndWssUrls(String url, String expected) {
    assertThat(BootstrapClientOptions.parseServerUrl(url)).hasToString(expected);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "http://host:8080     | the scheme must be ws:// or wss://, not http://",
        "localhost:8080       | no ws:// or wss:// scheme",
        "host                 | no ws:// or wss:// scheme",
        "ws://                | ws://",
        "ws://host:99999      | out of range",
        "'   '                | empty",
        "ws://ho st           | bad bootstrap URL",
      })
  void explainsWhatIsWrongWithABadUrl(String url, String message) {
    assertThatThrownBy(() -> BootstrapClientOptions.parseServerUrl(url))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("bad bootstrap URL")
        .hasMessageContaining(message);
  }
}
