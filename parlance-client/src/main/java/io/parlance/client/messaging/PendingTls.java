package io.parlance.client.messaging;

import io.netty.handler.ssl.SslContext;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * A TLS context that may still be being built. Building a node's peer contexts sets up JSSE (its
 * providers, key managers and, through Netty's {@code JdkSslContext}, the JDK's default context):
 * about a third of the CPU time to a ready chat. A node builds them on a thread of its own after it
 * starts listening, so a chat is ready before they are; a connection that needs one before then
 * waits for it without blocking an event loop ({@link #whenReady}).
 */
public final class PendingTls {

  private final CompletableFuture<SslContext> context;

  private PendingTls(CompletableFuture<SslContext> context) {
    this.context = context;
  }

  /**
   * A context that is ready now.
   *
   * @param context the context
   * @return the pending context, already ready
   */
  public static PendingTls of(SslContext context) {
    return new PendingTls(
        CompletableFuture.completedFuture(Objects.requireNonNull(context, "context")));
  }

  /**
   * Starts building a context on a thread of the given executor.
   *
   * @param builder builds the context; an exception it throws fails every connection that waits
   * @param executor where it runs
   * @return the pending context
   */
  public static PendingTls building(Supplier<SslContext> builder, Executor executor) {
    Objects.requireNonNull(builder, "builder");
    Objects.requireNonNull(executor, "executor");
    return new PendingTls(CompletableFuture.supplyAsync(builder, executor));
  }

  /**
   * Tells whether the context is built (or failed to be).
   *
   * @return true once {@link #get} no longer waits
   */
  public boolean isReady() {
    return context.isDone();
  }

  /**
   * Returns the context, waiting for it if it is still being built: only for threads that may wait
   * (never an event loop; there, use {@link #whenReady} first).
   *
   * @return the context
   * @throws IllegalStateException if it could not be built
   */
  public SslContext get() {
    try {
      return context.join();
    } catch (RuntimeException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new IllegalStateException("cannot set up TLS: " + cause.getMessage(), cause);
    }
  }

  /**
   * Runs an action once the context is built (or failed to be), on the given executor; at once, on
   * the calling thread, if it already is.
   *
   * @param action what to run
   * @param executor where to run it if it must wait, typically the channel's event loop
   */
  public void whenReady(Runnable action, Executor executor) {
    if (context.isDone()) {
      action.run();
    } else {
      context.whenCompleteAsync((c, e) -> action.run(), executor);
    }
  }
}
