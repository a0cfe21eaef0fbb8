package io.parlance.client.store;

/** The message store cannot be opened or used; the message says why and what to do. */
public final class StoreException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what happened and what to do, in words
   * @param cause the database error
   */
  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * Creates the exception.
   *
   * @param message what happened and what to do, in words
   */
  public StoreException(String message) {
    super(message);
  }
}
