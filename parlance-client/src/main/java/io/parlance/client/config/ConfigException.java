package io.parlance.client.config;

/** A configuration problem, with a message that names the file, the key and what is wrong. */
public final class ConfigException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what is wrong, and where
   */
  public ConfigException(String message) {
    super(message);
  }

  /**
   * Creates the exception with its cause.
   *
   * @param message what is wrong, and where
   * @param cause the underlying error
   */
  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
