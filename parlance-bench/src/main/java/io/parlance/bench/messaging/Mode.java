package io.parlance.bench.messaging;

import io.parlance.client.node.NodeOptions;
import io.parlance.client.node.PeerNode;

/**
 * How messages travel from the sending peer to the receiving one in a messaging run. The receiver
 * is always a real {@link PeerNode}; a mode sets the options of both nodes (which is all an
 * encryption or acknowledgement mode needs) and opens the sending side.
 */
public interface Mode {

  /**
   * Returns the name given to {@code --mode}.
   *
   * @return e.g. {@code plain}
   */
  String name();

  /**
   * Returns what the mode measures, in a few words, for the report.
   *
   * @return the description
   */
  String description();

  /**
   * Adjusts the options of both nodes.
   *
   * @param options the benchmark's options for one node
   * @return the options to use
   */
  default NodeOptions.Builder configure(NodeOptions.Builder options) {
    return options;
  }

  /**
   * Returns whether each node needs a data directory of its own (the durable outbox and history).
   *
   * @return true to give both nodes a fresh directory, deleted after the run
   */
  default boolean durable() {
    return false;
  }

  /**
   * Returns whether the receiver acknowledges messages; a run then ends when every ack is back.
   *
   * @return true if acknowledged
   */
  default boolean acknowledged() {
    return false;
  }

  /**
   * Opens the sending side; both nodes are running and the sender lists the receiver.
   *
   * @param from the sending node
   * @param to the receiving node
   * @return the sender
   * @throws Exception if it cannot be opened
   */
  Sender open(PeerNode from, PeerNode to) throws Exception;
}
