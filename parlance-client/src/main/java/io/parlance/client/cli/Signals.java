package io.parlance.client.cli;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns SIGTERM and SIGINT into a call, so the daemon stops cleanly and exits with 0 rather than
 * the JVM's 143 or 130. Uses {@code sun.misc.Signal} (module jdk.unsupported) by reflection, as the
 * compiler refuses it directly under -Werror; where it is missing, the JVM's own handling remains
 * and the shutdown hook still stops the daemon cleanly.
 */
final class Signals {

  private static final Logger LOG = LoggerFactory.getLogger(Signals.class);

  private Signals() {}

  /**
   * Runs an action on SIGTERM and on SIGINT instead of shutting the JVM down.
   *
   * @param action what to do; runs on a signal thread, must not block for long
   * @return true if the handlers are installed
   */
  static boolean onTermination(Runnable action) {
    try {
      Class<?> signal = Class.forName("sun.misc.Signal");
      Class<?> handler = Class.forName("sun.misc.SignalHandler");
      InvocationHandler call =
          (proxy, method, args) -> {
            if (method.getName().equals("handle")) {
              action.run();
              return null;
            }
            return switch (method.getName()) {
              case "hashCode" -> System.identityHashCode(proxy);
              case "equals" -> proxy == args[0];
              default -> "Signals.handler";
            };
          };
      Object instance =
          Proxy.newProxyInstance(Signals.class.getClassLoader(), new Class<?>[] {handler}, call);
      Method handle = signal.getMethod("handle", signal, handler);
      for (String name : new String[] {"TERM", "INT"}) {
        handle.invoke(null, signal.getConstructor(String.class).newInstance(name), instance);
      }
      return true;
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      LOG.debug("Cannot handle signals; the shutdown hook will stop the daemon: {}", e.toString());
      return false;
    }
  }
}
