package io.parlance.client.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ConnectTimeoutException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class ConnectionPoolTest {

  private static final InetSocketAddress PEER = new InetSocketAddress("127.0.0.1", 4000);

  @Test
  void explainsRefusedAndTimedOutConnectsInWords() {
    DeliveryException refused =
        ConnectionPool.translate(PEER, new ConnectException("Connection refused"));
    DeliveryException timedOut =
        ConnectionPool.translate(PEER, new ConnectTimeoutException("connection timed out"));

    assertThat(refused.reason()).isEqualTo(DeliveryException.Reason.REFUSED);
    assertThat(refused)
        .hasMessage("connection refused by 127.0.0.1:4000 (the peer is not listening)");
    assertThat(timedOut.reason()).isEqualTo(DeliveryException.Reason.TIMED_OUT);
    assertThat(timedOut).hasMessage("connecting to 127.0.0.1:4000 timed out");
  }
}
