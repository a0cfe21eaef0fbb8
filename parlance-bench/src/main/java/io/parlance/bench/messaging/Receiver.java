package io.parlance.bench.messaging;

import io.parlance.client.node.NodeEvent;
import io.parlance.client.node.NodeListener;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * Listens to the receiving node: counts the benchmark's messages, checks their order and records
 * each one's latency from the time stamps its content carries. Runs on the node's event thread;
 * read the histograms only after {@link #received()} reached the expected count (that read gives
 * the happens-before edge).
 *
 * <p>A message's content is {@code <phase>|<sequence>|<scheduled nanos>|<call nanos>|<padding>}:
 * the time the message was due (open loop) and the time {@code send} was called, both from {@link
 * System#nanoTime()} in this JVM.
 */
final class Receiver implements NodeListener {

  /** Phase letter of warm-up messages. */
  static final char WARM_UP = 'w';

  /** Phase letter of measured messages. */
  static final char MEASURED = 'm';

  private static final long HIGHEST_NANOS = 3_600_000_000_000L;

  private final Histogram fromSchedule = new Histogram(HIGHEST_NANOS, 3);
  private final Histogram fromCall = new Histogram(HIGHEST_NANOS, 3);
  private final AtomicLong received = new AtomicLong();
  private final Semaphore window;
  private volatile long lastReceivedNanos;
  private long lastSequence = -1;
  private long outOfOrder;
  private long verified;

  Receiver(Semaphore window) {
    this.window = window;
  }

  @Override
  public void onEvent(NodeEvent event) {
    if (!(event instanceof NodeEvent.MessageReceived m)) {
      return;
    }
    long now = System.nanoTime();
    String content = m.content();
    if (content.isEmpty() || (content.charAt(0) != WARM_UP && content.charAt(0) != MEASURED)) {
      return;
    }
    if (content.charAt(0) == MEASURED) {
      int a = content.indexOf('|', 2);
      int b = content.indexOf('|', a + 1);
      int c = content.indexOf('|', b + 1);
      long sequence = Long.parseLong(content, 2, a, 10);
      long scheduled = Long.parseLong(content, a + 1, b, 10);
      long called = Long.parseLong(content, b + 1, c, 10);
      fromSchedule.recordValue(Math.max(0, now - scheduled));
      fromCall.recordValue(Math.max(0, now - called));
      if (sequence < lastSequence) {
        outOfOrder++;
      }
      if (m.verified()) {
        verified++;
      }
      lastSequence = sequence;
    }
    lastReceivedNanos = now;
    received.incrementAndGet();
    window.release();
  }

  /** Starts the measured phase: forgets the warm-up. Call when no message is in flight. */
  void reset() {
    fromSchedule.reset();
    fromCall.reset();
    lastSequence = -1;
    outOfOrder = 0;
    verified = 0;
    received.set(0);
  }

  long received() {
    return received.get();
  }

  long lastReceivedNanos() {
    return lastReceivedNanos;
  }

  long outOfOrder() {
    return outOfOrder;
  }

  /** Measured messages from a sender that proved its id (over TLS). */
  long verified() {
    return verified;
  }

  Histogram fromSchedule() {
    return fromSchedule;
  }

  Histogram fromCall() {
    return fromCall;
  }
}
