package io.parlance.client.messaging;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * A chat line could not be delivered to a peer's address, with the reason in a word and in words.
 */
public final class DeliveryException extends Exception {

  private static final long serialVersionUID = 1L;

  /** Why a delivery failed. */
  public enum Reason {
    /** Nothing listens at the address. */
    REFUSED,
    /** The peer did not answer (connect) or did not read (write) in time. */
    TIMED_OUT,
    /** No route to the peer. */
    UNREACHABLE,
    /** The connection broke while sending. */
    CONNECTION_LOST,
    /** A TLS peer proved another key than the id it announced. */
    IDENTITY_MISMATCH,
    /** The pool is closed. */
    CLOSED,
    /** Anything else. */
    FAILED
  }

  private final Reason reason;
  private final transient InetSocketAddress address;

  /**
   * Creates the exception.
   *
   * @param reason why
   * @param address the peer's address
   * @param message why, in words
   * @param cause the underlying error, or null
   */
  public DeliveryException(
      Reason reason, InetSocketAddress address, String message, Throwable cause) {
    super(message, cause);
    this.reason = Objects.requireNonNull(reason, "reason");
    this.address = address;
  }

  /**
   * Returns why the delivery failed.
   *
   * @return the reason
   */
  public Reason reason() {
    return reason;
  }

  /**
   * Returns the peer's address.
   *
   * @return the address
   */
  public InetSocketAddress address() {
    return address;
  }
}
