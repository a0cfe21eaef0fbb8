package io.parlance.client.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.parlance.client.messaging.DeliveryException;
import io.parlance.client.security.Identity;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which failures of the direct path send a peer to the relay, and where the relay is. */
class RelayPathsTest {

  private static final InetSocketAddress BOB = new InetSocketAddress("127.0.0.1", 4242);

  private static DeliveryException failed(DeliveryException.Reason reason) {
    return new DeliveryException(reason, BOB, "test", null);
  }

  @Test
  void connectFailuresAreRelayedButAnIdentityMismatchOrAShutdownNever() {
    assertThat(RelayPaths.worthRelaying(failed(DeliveryException.Reason.REFUSED))).isTrue();
    assertThat(RelayPaths.worthRelaying(failed(DeliveryException.Reason.TIMED_OUT))).isTrue();
    assertThat(RelayPaths.worthRelaying(failed(DeliveryException.Reason.UNREACHABLE))).isTrue();
    assertThat(RelayPaths.worthRelaying(failed(DeliveryException.Reason.IDENTITY_MISMATCH)))
        .isFalse();
    assertThat(RelayPaths.worthRelaying(failed(DeliveryException.Reason.CLOSED))).isFalse();
    assertThat(RelayPaths.worthRelaying(new IllegalStateException("not a delivery failure")))
        .isFalse();
  }

  private static InternetDiscovery discovery(String url) {
    return new InternetDiscovery(
        url,
        Identity.generate(),
        List.of("tls", "ack"),
        4242,
        0,
        true,
        new io.parlance.client.peer.PeerDirectory(),
        new EventDispatcher(16));
  }

  @Test
  void theRelayIsThePathRelayUnderTheServersOwnPath() {
    assertThat(discovery("ws://127.0.0.1:8080").relayUri())
        .hasToString("ws://127.0.0.1:8080/relay");
    assertThat(discovery("wss://example.org/parlance/").relayUri())
        .hasToString("wss://example.org/parlance/relay");
    assertThat(discovery("ws://127.0.0.1:8080").serverName()).isEqualTo("127.0.0.1:8080");
    // Several servers (--bootstrap twice): before the first registration, the first one's relay.
    assertThat(discovery("ws://bs1:8080,ws://bs2:8080").relayUri())
        .hasToString("ws://bs1:8080/relay");
  }
}
