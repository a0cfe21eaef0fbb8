package io.parlance.client.internet;

/** A request to the bootstrap server failed; {@link #code()} says why. */
public final class BootstrapException extends Exception {

  private static final long serialVersionUID = 1L;

  /** Code for a request made while not registered with the server. */
  public static final String NOT_CONNECTED = "not_connected";

  private final String code;

  /**
   * Creates the exception.
   *
   * @param code the error code
   * @param message what happened
   */
  public BootstrapException(String code, String message) {
    super(message);
    this.code = code;
  }

  /**
   * Returns the error code.
   *
   * @return a wire error code or {@link #NOT_CONNECTED}
   */
  public String code() {
    return code;
  }
}
