package io.parlance.bootstrap.cluster;

import io.lettuce.core.resource.EventLoopGroupProvider;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.SucceededFuture;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Lends the bootstrap server's own worker loops to Lettuce, so the Redis connections add no
 * threads: their I/O is a few non-blocking channels among the server's, on the same loops. Lettuce
 * never shuts them down; the server does, after closing the Redis client.
 */
final class SharedEventLoops implements EventLoopGroupProvider {

  private final EventLoopGroup workers;
  private final int threads;

  SharedEventLoops(EventLoopGroup workers, int threads) {
    this.workers = Objects.requireNonNull(workers, "workers");
    this.threads = threads;
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T extends EventLoopGroup> T allocate(Class<T> type) {
    if (!type.isInstance(workers)) {
      throw new IllegalStateException(
          "Lettuce asked for " + type.getSimpleName() + "; the server runs on its NIO loops");
    }
    return (T) workers;
  }

  @Override
  public int threadPoolSize() {
    return threads;
  }

  @Override
  public Future<Boolean> release(
      io.netty.util.concurrent.EventExecutorGroup group, long quiet, long timeout, TimeUnit unit) {
    return new SucceededFuture<>(GlobalEventExecutor.INSTANCE, Boolean.TRUE);
  }

  @Override
  public Future<Boolean> shutdown(long quiet, long timeout, TimeUnit unit) {
    return new SucceededFuture<>(GlobalEventExecutor.INSTANCE, Boolean.TRUE);
  }
}
