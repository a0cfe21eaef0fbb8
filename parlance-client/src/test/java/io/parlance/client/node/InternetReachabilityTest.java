package io.parlance.client.node;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What the registered status line says of the server's probe of our port. */
class InternetReachabilityTest {

  @Test
  void anUnreachablePortIsNamedWithWhatToDo() {
    assertThat(InternetDiscovery.reachability(false, 4242))
        .contains("could not connect back to our port 4242")
        .contains("forward TCP port 4242");
  }

  @Test
  void aReachablePortAndNoProbeAreToldApart() {
    assertThat(InternetDiscovery.reachability(true, 4242)).contains("reached our port 4242");
    assertThat(InternetDiscovery.reachability(null, 4242)).isEmpty();
  }
}
