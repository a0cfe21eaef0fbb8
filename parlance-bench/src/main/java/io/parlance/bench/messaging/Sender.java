package io.parlance.bench.messaging;

import java.io.IOException;
import java.util.function.Consumer;

/** The sending side of one {@link Mode}: sends one message at a time from one thread. */
public interface Sender extends AutoCloseable {

  /**
   * Sends one message; may return before it is written.
   *
   * @param content the message text
   * @param failed told, on any thread, if the message cannot be delivered
   * @throws IOException if a synchronous sender fails
   */
  void send(String content, Consumer<Throwable> failed) throws IOException;

  /**
   * Returns how many connections the sender opened so far.
   *
   * @return the count
   */
  long connectionsOpened();

  @Override
  default void close() throws IOException {}
}
