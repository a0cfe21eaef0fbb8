package io.parlance.client.messaging;

import io.netty.handler.codec.DecoderException;
import java.io.IOException;
import java.net.SocketException;
import java.util.Locale;
import javax.net.ssl.SSLException;

/**
 * Tells ordinary disconnects (reset, broken pipe) and bad input from real errors, for log levels.
 */
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

  /**
   * Tells whether an error is about the bytes a peer sent: a decoder that could not read them (a
   * failed TLS handshake or record, a bad frame), which deserves one line, not a stack trace.
   */
  static boolean isBadInput(Throwable cause) {
    for (Throwable c = cause; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (c instanceof DecoderException || c instanceof SSLException) {
        return true;
      }
    }
    return false;
  }
}
