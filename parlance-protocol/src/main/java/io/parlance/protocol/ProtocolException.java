package io.parlance.protocol;

import io.netty.handler.codec.CorruptedFrameException;
import java.util.Objects;

/**
 * Input that breaks the protocol, with a {@link ProtocolError kind} a program can act on and a
 * message a person can read.
 *
 * <p>It carries no stack trace: it reports bad data from the network, not a bug, and a peer
 * flooding us with garbage must not make us pay for stack walks.
 *
 * <p>Its message often quotes the input (an unknown type, a field name), and goes to logs and
 * screens: so it is kept to one bounded line, with every control character (line breaks, ESC, BEL,
 * bidirectional overrides) written as a backslash-u escape.
 */
public final class ProtocolException extends CorruptedFrameException {

  private static final long serialVersionUID = 1L;

  /** The longest message kept, in characters; the rest is cut and marked with "...". */
  public static final int MAX_MESSAGE_CHARS = 512;

  private final ProtocolError kind;

  /**
   * Creates the exception.
   *
   * @param kind what was wrong
   * @param message what was wrong, in words
   */
  public ProtocolException(ProtocolError kind, String message) {
    super(oneLine(message));
    this.kind = Objects.requireNonNull(kind, "kind");
  }

  /**
   * Creates the exception with the lower-level error that revealed the problem.
   *
   * @param kind what was wrong
   * @param message what was wrong, in words
   * @param cause the lower-level error
   */
  public ProtocolException(ProtocolError kind, String message, Throwable cause) {
    super(oneLine(message), cause);
    this.kind = Objects.requireNonNull(kind, "kind");
  }

  /**
   * Returns what was wrong.
   *
   * @return the kind of error
   */
  public ProtocolError kind() {
    return kind;
  }

  /**
   * Returns a copy whose message is prefixed with where the input came from.
   *
   * @param source where the input came from, e.g. {@code "datagram from 10.0.0.2:6789"}
   * @return the new exception
   */
  public ProtocolException from(String source) {
    return new ProtocolException(kind, source + ": " + getMessage(), getCause());
  }

  /**
   * Returns a message as one bounded line with no control characters in it.
   *
   * @param message the message, possibly quoting hostile input
   * @return the neutralised message
   */
  static String oneLine(String message) {
    if (message == null) {
      return null;
    }
    StringBuilder out = new StringBuilder(Math.min(message.length(), MAX_MESSAGE_CHARS) + 8);
    for (int i = 0; i < message.length(); i++) {
      if (out.length() >= MAX_MESSAGE_CHARS) {
        if (Character.isHighSurrogate(out.charAt(out.length() - 1))) {
          out.setLength(out.length() - 1);
        }
        return out.append("...").toString();
      }
      char c = message.charAt(i);
      if (Character.isISOControl(c)
          || Character.getType(c) == Character.FORMAT
          || c == '\u2028'
          || c == '\u2029') {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  @Override
  public synchronized Throwable fillInStackTrace() {
    return this;
  }
}
