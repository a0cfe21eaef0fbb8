package io.parlance.client.security;

/** An identity cannot be loaded, created or trusted; the message says why and what to do. */
public final class IdentityException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what happened and what to do
   */
  public IdentityException(String message) {
    super(message);
  }

  /**
   * Creates the exception.
   *
   * @param message what happened and what to do
   * @param cause the underlying error
   */
  public IdentityException(String message, Throwable cause) {
    super(message, cause);
  }
}
