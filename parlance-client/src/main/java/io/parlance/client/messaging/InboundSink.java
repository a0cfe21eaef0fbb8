package io.parlance.client.messaging;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Where the message server hands each received chat line; called on an event loop, must not block.
 * The connection's {@link InboundMessageHandler} acts on the outcome: it writes the
 * acknowledgement, or closes the connection, and pauses reading while too many lines wait for an
 * outcome.
 */
@FunctionalInterface
public interface InboundSink {

  /** What to do once a line is dealt with. */
  enum Outcome {
    /** Acknowledge the line's id (a line without one gets nothing). */
    ACKNOWLEDGE,
    /** Write nothing back: the line is shown, refused, or from a plain peer. */
    NOTHING,
    /** Close the connection: the line could not be kept, so its sender must send it again. */
    CLOSE;

    private final CompletionStage<Outcome> now = CompletableFuture.completedStage(this);

    /**
     * Returns this outcome, already settled.
     *
     * @return a completed stage
     */
    public CompletionStage<Outcome> now() {
      return now;
    }
  }

  /**
   * A chat line arrived. Outcomes are acted on in the order they settle, so a sink settles the
   * lines of one connection in the order they arrived.
   *
   * @param message the line and what its connection tells of the sender
   * @return settles, on any thread, with what to do; failing counts as {@link Outcome#CLOSE}
   */
  CompletionStage<Outcome> received(InboundMessage message);
}
