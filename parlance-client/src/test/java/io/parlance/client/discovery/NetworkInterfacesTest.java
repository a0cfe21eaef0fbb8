package io.parlance.client.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import io.parlance.client.testing.TestNodes;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

class NetworkInterfacesTest {

  @Test
  void onLinkHoldsForTheLoopbackSubnetOnly() throws Exception {
    Predicate<InetAddress> onLo = NetworkInterfaces.onLink(lo());

    assertThat(onLo.test(InetAddress.getByName("127.0.0.1"))).isTrue();
    assertThat(onLo.test(InetAddress.getByName("127.200.3.4"))).isTrue(); // lo is 127.0.0.0/8
    assertThat(onLo.test(InetAddress.getByName("128.0.0.1"))).isFalse();
    assertThat(onLo.test(InetAddress.getByName("10.0.0.1"))).isFalse();
    assertThat(onLo.test(InetAddress.getByName("::1"))).isFalse();
  }

  private static NetworkInterface lo() throws Exception {
    return NetworkInterface.getByName(TestNodes.LOOPBACK);
  }
}
