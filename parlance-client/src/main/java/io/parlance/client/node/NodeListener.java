package io.parlance.client.node;

/** Hears a node's events, one at a time, in order, on the node's event thread. */
@FunctionalInterface
public interface NodeListener {

  /**
   * An event happened. May block briefly (e.g. to print); must not call {@link PeerNode#stop()} and
   * wait for it.
   *
   * @param event the event
   */
  void onEvent(NodeEvent event);
}
