package io.parlance.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class when Netty reported a leaked buffer during it. Registered for every test
 * through JUnit's extension auto-detection; the detector runs on paranoid level in the build.
 */
public final class LeakCheckExtension implements AfterAllCallback {

  @Override
  public void afterAll(ExtensionContext context) throws InterruptedException {
    // Leaks are reported when a tracked buffer has been collected and a new one is tracked.
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(10);
      track(PooledByteBufAllocator.DEFAULT.directBuffer(8));
      track(PooledByteBufAllocator.DEFAULT.heapBuffer(8));
      track(UnpooledByteBufAllocator.DEFAULT.directBuffer(8));
      track(UnpooledByteBufAllocator.DEFAULT.heapBuffer(8));
    }
    List<String> leaks = RecordingLeakDetector.drain();
    if (!leaks.isEmpty()) {
      throw new AssertionError(
          "Netty reported "
              + leaks.size()
              + " leaked buffer(s) in "
              + context.getDisplayName()
              + ":\n"
              + String.join("\n\n", leaks));
    }
  }

  private static void track(ByteBuf buf) {
    buf.release();
  }
}
