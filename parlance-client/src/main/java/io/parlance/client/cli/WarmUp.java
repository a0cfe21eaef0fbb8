package io.parlance.client.cli;

/**
 * Moves class loading off the start path: while the main thread locks the profile, opens the
 * terminal and builds the node, a second thread initialises the heavy classes that starting a node
 * needs next (Netty's TLS context, which reads the JDK's trust store, Bouncy Castle, SQLite's
 * driver, Jackson). Started once logging is set up: SLF4J must be initialised once, by the main
 * thread. Class initialisation is thread-safe: whichever thread comes first does it, the other
 * waits for it, so nothing is done twice and nothing changes but when it is done.
 */
final class WarmUp {

  /** In the order the start path reaches them. */
  private static final String[] CLASSES = {
    "io.parlance.client.security.Identity",
    "io.netty.handler.ssl.JdkSslContext",
    "org.sqlite.JDBC",
    "com.fasterxml.jackson.databind.ObjectMapper",
    "io.netty.channel.epoll.Epoll",
  };

  private WarmUp() {}

  /** Starts the warm-up thread, a daemon: it never holds the program up. */
  static void start() {
    Thread t = new Thread(WarmUp::run, "parlance-warm-up");
    t.setDaemon(true);
    t.setPriority(Thread.MIN_PRIORITY);
    t.start();
  }

  private static void run() {
    ClassLoader loader = WarmUp.class.getClassLoader();
    for (String name : CLASSES) {
      try {
        Class.forName(name, true, loader);
      } catch (ClassNotFoundException | LinkageError ignored) {
        // Only a head start is lost: the main thread meets the same error and reports it.
      }
    }
  }
}
