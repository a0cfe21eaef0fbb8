package io.parlance.client.messaging;

import java.io.IOException;
import java.net.SocketException;
import java.util.Locale;

/** Tells ordinary disconnects (reset, broken pipe) from real errors, for log levels. */
final class Disconnects {

  private Disconnects() {}

  static boolean isOrdinary(Throwable cause) {
    if (!(cause instanceof IOException)) {
      return false;
    }
    if (cause instanceof SocketException) {
      return true;
    }
    String message = cause.getMessage();
    if (message == null) {
      return false;
    }
    String m = message.toLowerCase(Locale.ROOT);
    return m.contains("reset by peer")
        || m.contains("broken pipe")
        || m.contains("connection reset")
        || m.contains("forcibly closed");
  }
}
