package io.parlance.client.cli;

import java.security.KeyFactory;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;

/**
 * Readies, on a thread of its own, what a chat's start needs after the command line is parsed: the
 * logging, the JDK's key and TLS code, SQLite's native library, Netty's platform checks and
 * Jackson's first mappers. The command line is parsed on one core meanwhile (picocli reads its
 * annotations then, about a third of the time to a ready chat), so this work leaves the start's
 * path; each step is only class initialisation and is done again, and any failure reported, where
 * the start needs it.
 */
final class WarmUp {

  private static final long LOGGING_WAIT_MS = 2_000;

  /** Open while a warm-up sets up the logging; null when none began. */
  private static volatile CountDownLatch logging;

  private WarmUp() {}

  /** Begins the warm-up on a daemon thread; call once, as the program starts. */
  static void begin() {
    CountDownLatch latch = new CountDownLatch(1);
    logging = latch;
    Thread thread =
        new Thread(
            () -> {
              try {
                LoggerFactory.getILoggerFactory();
              } finally {
                latch.countDown();
              }
              for (Step step : STEPS) {
                try {
                  step.run();
                } catch (Exception | LinkageError ignored) {
                  // The start does the same again and says what failed.
                }
              }
            },
            "parlance-warm-up");
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Waits, briefly, until a warm-up has set up the logging: a logger asked for while another thread
   * sets it up would be SLF4J's stand-in, which only forwards.
   */
  static void awaitLogging() {
    CountDownLatch latch = logging;
    if (latch == null) {
      return;
    }
    try {
      latch.await(LOGGING_WAIT_MS, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** One step of the warm-up. */
  private interface Step {
    void run() throws Exception;
  }

  /** Runs a class's static initialiser, as its first use would. */
  private static void initialise(Class<?> type) throws ClassNotFoundException {
    Class.forName(type.getName(), true, type.getClassLoader());
  }

  private static final List<Step> STEPS =
      List.of(
          org.bouncycastle.math.ec.rfc8032.Ed25519::precompute, // the identity's tables
          () -> {
            KeyFactory.getInstance("Ed25519");
            new SecureRandom().nextInt();
          },
          org.sqlite.SQLiteJDBCLoader::initialize,
          io.netty.util.internal.PlatformDependent::hasUnsafe,
          () -> initialise(io.parlance.protocol.json.WireJson.class), // Jackson's first mapper
          // The discovery codecs' reader and writer: Jackson builds their (de)serialisers when they
          // are made, on the event loop, and the node's start waits for that before it is ready.
          () -> initialise(io.parlance.protocol.codec.DiscoveryDecoder.class),
          () -> initialise(io.parlance.protocol.codec.DiscoveryEncoder.class),
          () -> initialise(io.parlance.client.security.TrustStore.class));
}
