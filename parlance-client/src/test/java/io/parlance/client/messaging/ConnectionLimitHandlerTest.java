package io.parlance.client.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

class ConnectionLimitHandlerTest {

  @Test
  void closesConnectionsOverTheLimitAndAdmitsNewOnesWhenOthersClose() {
    ConnectionLimitHandler limit = new ConnectionLimitHandler(2);
    EmbeddedChannel first = new EmbeddedChannel(limit);
    EmbeddedChannel second = new EmbeddedChannel(limit);
    EmbeddedChannel third = new EmbeddedChannel(limit);

    assertThat(first.isOpen()).isTrue();
    assertThat(second.isOpen()).isTrue();
    assertThat(third.isOpen()).isFalse();
    assertThat(limit.open()).isEqualTo(2);
    assertThat(limit.rejected()).isEqualTo(1);

    first.close();
    EmbeddedChannel fourth = new EmbeddedChannel(limit);
    assertThat(fourth.isOpen()).isTrue();
    assertThat(limit.accepted()).isEqualTo(3);
    second.finishAndReleaseAll();
    fourth.finishAndReleaseAll();
    assertThat(limit.open()).isZero();
  }
}
