package io.parlance.client.internet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoopGroup;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LoopTimeoutTest {

  private final EventLoopGroup group = new DefaultEventLoopGroup(1);

  @AfterEach
  void stop() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  @Test
  void aFutureNotCompleteInTimeFailsWithATimeout() {
    CompletableFuture<String> never = new CompletableFuture<>();
    LoopTimeout.within(group.next(), never, 50);
    assertThatThrownBy(() -> never.get(5, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(TimeoutException.class);
  }

  @Test
  void aFutureCompletedOnTheLoopInTimeKeepsItsValue() throws Exception {
    CompletableFuture<String> answered = new CompletableFuture<>();
    LoopTimeout.within(group.next(), answered, 100);
    group.next().execute(() -> answered.complete("answer"));
    assertThat(answered.get(5, TimeUnit.SECONDS)).isEqualTo("answer");
    Thread.sleep(200); // past the time allowed: the cancelled timer changes nothing
    assertThat(answered.getNow("changed")).isEqualTo("answer");
    assertThat(answered.isCompletedExceptionally()).isFalse();
  }
}
