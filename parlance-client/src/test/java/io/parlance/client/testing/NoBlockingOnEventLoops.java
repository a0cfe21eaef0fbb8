package io.parlance.client.testing;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import reactor.blockhound.BlockHound;
import reactor.blockhound.BlockingOperationError;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * No file, lock or sleep on an event loop, anywhere in the suite: BlockHound (installed for every
 * test by its JUnit platform module, with Netty's own integration marking the event-loop threads)
 * reports each blocking call made on one, this integration records it, and, as an extension found
 * by JUnit's auto-detection, fails the test during which it happened. The blocking call itself also
 * fails, as BlockHound makes it throw.
 */
public final class NoBlockingOnEventLoops implements BlockHoundIntegration, AfterEachCallback {

  private static final List<String> SEEN = new ArrayList<>();

  @Override
  public void applyTo(BlockHound.Builder builder) {
    // Log lines go to the console under the appender's lock: brief, and not the node's doing.
    builder.allowBlockingCallsInside("ch.qos.logback.core.OutputStreamAppender", "subAppend");
    builder.allowBlockingCallsInside("ch.qos.logback.core.OutputStreamAppender", "writeBytes");
    // Random bytes come from the kernel's /dev/urandom, which never blocks (the bootstrap server
    // draws its challenges on its event loop). Other file reads stay forbidden.
    builder.allowBlockingCallsInside("sun.security.provider.NativePRNG$RandomIO", "implNextBytes");
    // Handing work to the store's and the events' threads takes a queue's lock for a moment.
    builder.allowBlockingCallsInside("java.util.concurrent.ArrayBlockingQueue", "offer");
    builder.allowBlockingCallsInside("java.util.concurrent.LinkedBlockingQueue", "offer");
    // Jackson takes a lock while it builds a deserializer the first time a type is read.
    builder.allowBlockingCallsInside(
        "com.fasterxml.jackson.databind.deser.DeserializerCache",
        "_createAndCacheValueDeserializer");
    builder.blockingMethodCallback(
        method -> {
          String where =
              Thread.currentThread().getName()
                  + ": "
                  + method
                  + " in "
                  + StackWalker.getInstance()
                      .walk(
                          frames ->
                              frames
                                  .map(f -> f.getClassName() + "." + f.getMethodName())
                                  // from the blocking call down: what called it, whoever
                                  // wrote it, then ours
                                  .dropWhile(
                                      f ->
                                          f.startsWith("reactor.blockhound")
                                              || f.contains("NoBlockingOnEventLoops"))
                                  .filter(f -> !f.startsWith("reactor.blockhound"))
                                  .limit(12)
                                  .toList());
          synchronized (SEEN) {
            SEEN.add(where);
          }
          throw new BlockingOperationError(method);
        });
  }

  /**
   * Returns and forgets the blocking calls seen so far.
   *
   * @return each as the thread's name and the method
   */
  public static List<String> drain() {
    synchronized (SEEN) {
      List<String> out = List.copyOf(SEEN);
      SEEN.clear();
      return out;
    }
  }

  @Override
  public void afterEach(ExtensionContext context) {
    List<String> seen = drain();
    if (!seen.isEmpty()) {
      throw new AssertionError(
          "blocking calls on an event loop during "
              + context.getDisplayName()
              + ":\n"
              + String.join("\n", seen));
    }
  }
}
