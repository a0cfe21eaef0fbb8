package io.parlance.protocol;

import io.netty.handler.codec.CorruptedFrameException;
import java.util.Objects;

/**
 * Input that breaks the protocol, with a {@link ProtocolError kind} a program can act on and a
 * message a person can read.
 *
 * <p>It carries no stack trace: it reports bad data from the network, not a bug, and a peer
 * flooding us with garbage must not make us pay for stack walks.
 */
public final class ProtocolException extends CorruptedFrameException {

  private static final long serialVersionUID = 1L;

  private final ProtocolError kind;

  /**
   * Creates the exception.
   *
   * @param kind what was wrong
   * @param message what was wrong, in words
   */
  public ProtocolException(ProtocolError kind, String message) {
    super(message);
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
    super(message, cause);
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

  @Override
  public synchronized Throwable fillInStackTrace() {
    return this;
  }
}
