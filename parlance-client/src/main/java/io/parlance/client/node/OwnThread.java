package io.parlance.client.node;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/**
 * Work a start runs on a thread of its own, beside the rest of it (the node's start beside the
 * full-screen chat, the store's opening beside the identity), and its result taken back as if the
 * work had run on the taking thread: what it threw is thrown again, as it was.
 */
public final class OwnThread {

  private OwnThread() {}

  /**
   * Work that returns a result or throws.
   *
   * @param <T> the result
   */
  @FunctionalInterface
  public interface Work<T> {
    /**
     * Does the work.
     *
     * @return the result
     * @throws Exception what it failed with
     */
    T run() throws Exception;
  }

  /**
   * Runs work on a new daemon thread.
   *
   * @param name the thread's name
   * @param work the work
   * @param <T> its result
   * @return its result, or what it threw
   */
  public static <T> CompletableFuture<T> run(String name, Work<T> work) {
    CompletableFuture<T> result = new CompletableFuture<>();
    Thread thread =
        new Thread(
            () -> {
              try {
                result.complete(work.run());
              } catch (Exception | Error e) {
                result.completeExceptionally(e);
              }
            },
            name);
    thread.setDaemon(true);
    thread.start();
    return result;
  }

  /**
   * Waits for work's result; what the work threw is thrown here as it was (a checked exception
   * other than an interrupt, wrapped in an {@link IllegalStateException} with its message).
   *
   * @param work the work's future
   * @param <T> its result
   * @return the result
   * @throws InterruptedException if interrupted while waiting, or if the work was
   */
  public static <T> T result(Future<T> work) throws InterruptedException {
    return result(work, RuntimeException.class);
  }

  /**
   * Waits for work's result; what the work threw is thrown here as it was, a checked exception of
   * the given kind included (another checked exception, other than an interrupt, wrapped in an
   * {@link IllegalStateException} with its message).
   *
   * @param work the work's future
   * @param thrown the kind of checked exception the work may throw
   * @param <T> its result
   * @param <E> that kind
   * @return the result
   * @throws E if the work threw it
   * @throws InterruptedException if interrupted while waiting, or if the work was
   */
  public static <T, E extends Exception> T result(Future<T> work, Class<E> thrown)
      throws E, InterruptedException {
    try {
      return work.get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (thrown.isInstance(cause)) {
        throw thrown.cast(cause);
      }
      if (cause instanceof RuntimeException failure) {
        throw failure;
      }
      if (cause instanceof InterruptedException interrupted) {
        throw interrupted;
      }
      if (cause instanceof Error error) {
        throw error;
      }
      throw new IllegalStateException(cause.getMessage(), cause);
    }
  }
}
