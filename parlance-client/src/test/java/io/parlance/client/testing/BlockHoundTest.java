package io.parlance.client.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import reactor.blockhound.BlockingOperationError;

/** The check the whole suite relies on is really installed. */
class BlockHoundTest {

  @Test
  void sleepingOnAnEventLoopFailsAndIsReported() throws Exception {
    EventLoop loop = new DefaultEventLoop();
    try {
      Throwable failure = null;
      try {
        loop.submit(
                () -> {
                  Thread.sleep(1);
                  return null;
                })
            .get(10, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        failure = e.getCause();
      }
      assertThat(failure).isInstanceOf(BlockingOperationError.class);
      assertThat(NoBlockingOnEventLoops.drain())
          .singleElement()
          .asString()
          .contains("java.lang.Thread.sleep");
    } finally {
      loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }
}
