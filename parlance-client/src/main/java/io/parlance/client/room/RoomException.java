package io.parlance.client.room;

/** A room action that cannot be done, with a message a user can act on. */
public final class RoomException extends Exception {

  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what happened and what to do
   */
  public RoomException(String message) {
    super(message);
  }
}
