package io.parlance.client.control;

/** The sending side of one control connection, as its {@link ControlSession} sees it. */
public interface ControlConnection {

  /**
   * Queues one line for the client, without blocking. If the client reads too slowly and the
   * connection's queue is full, the connection is dropped instead.
   *
   * @param line the line, without its line break
   * @return true if queued, false if the connection is closed or was just dropped
   */
  boolean send(String line);

  /**
   * A short name for logs.
   *
   * @return e.g. {@code control-3}
   */
  String id();
}
