package io.parlance.client.control;

import java.io.IOException;
import java.nio.file.Path;

/** Nothing answers at a control socket: no daemon runs for the profile. */
public final class DaemonNotRunningException extends IOException {

  private static final long serialVersionUID = 1L;

  private final transient Path socket;

  /**
   * Creates the exception.
   *
   * @param socket the control socket tried
   * @param cause why the connect failed, or null
   */
  public DaemonNotRunningException(Path socket, Throwable cause) {
    super("no daemon answers at " + socket, cause);
    this.socket = socket;
  }

  /**
   * Returns the control socket tried.
   *
   * @return the path
   */
  public Path socket() {
    return socket;
  }
}
