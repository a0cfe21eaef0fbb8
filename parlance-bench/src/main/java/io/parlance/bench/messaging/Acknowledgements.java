package io.parlance.bench.messaging;

import io.parlance.client.node.NodeEvent;
import io.parlance.client.node.NodeListener;
import io.parlance.client.store.DeliveryState;
import java.util.concurrent.atomic.AtomicLong;

/** Listens to the sending node: counts the measured messages the receiver acknowledged. */
final class Acknowledgements implements NodeListener {

  private final AtomicLong delivered = new AtomicLong();

  @Override
  public void onEvent(NodeEvent event) {
    if (event instanceof NodeEvent.Delivery d
        && d.state() == DeliveryState.DELIVERED
        && !d.content().isEmpty()
        && d.content().charAt(0) == Receiver.MEASURED) {
      delivered.incrementAndGet();
    }
  }

  /** Forgets the warm-up. */
  void reset() {
    delivered.set(0);
  }

  long delivered() {
    return delivered.get();
  }
}
