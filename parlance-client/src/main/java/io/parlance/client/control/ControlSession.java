package io.parlance.client.control;

import java.util.concurrent.CompletionStage;

/** What serves one control connection: it gets the lines the client writes, one at a time. */
public interface ControlSession {

  /**
   * Handles one line (without its line break), on the connection's reader thread.
   *
   * @param line the line
   * @return true to read on; false to stop reading and close once {@link #drained()} completes
   */
  boolean line(String line);

  /**
   * Completes when the answers to the lines handled so far have all been sent; the connection is
   * closed then, after the client ended its input or the session asked to stop. A session that
   * streams events may never complete; the connection then stays until the client or the server
   * closes it.
   *
   * @return the stage
   */
  CompletionStage<Void> drained();

  /** The connection is closed; called once. */
  void closed();
}
