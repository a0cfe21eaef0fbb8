package io.parlance.client.profile;

/** Another running parlance holds the profile's lock. */
public final class ProfileInUseException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what is locked, and by whom
   */
  public ProfileInUseException(String message) {
    super(message);
  }
}
