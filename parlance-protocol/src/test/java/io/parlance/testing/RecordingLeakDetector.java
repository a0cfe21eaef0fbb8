package io.parlance.testing;

import io.netty.util.ResourceLeakDetector;
import java.util.ArrayList;
import java.util.List;

/**
 * A Netty leak detector that remembers every leak it reports, so {@link LeakCheckExtension} can
 * fail the tests. Installed with the system property {@code io.netty.customResourceLeakDetector}.
 *
 * @param <T> the tracked resource type
 */
public final class RecordingLeakDetector<T> extends ResourceLeakDetector<T> {

  private static final List<String> LEAKS = new ArrayList<>();

  /**
   * Called by Netty's leak detector factory.
   *
   * @param resourceType the tracked type
   * @param samplingInterval how often to sample
   * @param maxActive ignored by Netty
   */
  @SuppressWarnings("deprecation")
  public RecordingLeakDetector(Class<?> resourceType, int samplingInterval, long maxActive) {
    super(resourceType, samplingInterval, maxActive);
  }

  /**
   * Called by Netty's leak detector factory.
   *
   * @param resourceType the tracked type
   * @param samplingInterval how often to sample
   */
  public RecordingLeakDetector(Class<?> resourceType, int samplingInterval) {
    super(resourceType, samplingInterval);
  }

  @Override
  protected void reportTracedLeak(String resourceType, String records) {
    record("LEAK: " + resourceType + records);
    super.reportTracedLeak(resourceType, records);
  }

  @Override
  protected void reportUntracedLeak(String resourceType) {
    record("LEAK: " + resourceType + " (untraced)");
    super.reportUntracedLeak(resourceType);
  }

  private static void record(String leak) {
    synchronized (LEAKS) {
      LEAKS.add(leak);
    }
  }

  /**
   * Returns and forgets the leaks reported so far.
   *
   * @return the leak reports
   */
  public static List<String> drain() {
    synchronized (LEAKS) {
      List<String> copy = new ArrayList<>(LEAKS);
      LEAKS.clear();
      return copy;
    }
  }
}
