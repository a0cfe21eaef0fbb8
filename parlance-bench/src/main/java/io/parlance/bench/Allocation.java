package io.parlance.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * Bytes allocated on the heap by all live threads of this JVM, from HotSpot's per-thread counters.
 * Unlike time, allocation per message does not change when other work shares the machine.
 */
public final class Allocation {

  private Allocation() {}

  /**
   * Returns the bytes allocated so far by the threads alive now; a thread that ends between two
   * readings takes its count with it, so read around a phase in which the threads of interest live.
   *
   * @return the bytes, or 0 where the JVM does not count them
   */
  public static long allocatedBytes() {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    if (!(threads instanceof com.sun.management.ThreadMXBean hotspot)
        || !hotspot.isThreadAllocatedMemorySupported()
        || !hotspot.isThreadAllocatedMemoryEnabled()) {
      return 0;
    }
    long total = 0;
    for (long bytes : hotspot.getThreadAllocatedBytes(threads.getAllThreadIds())) {
      if (bytes > 0) {
        total += bytes;
      }
    }
    return total;
  }
}
