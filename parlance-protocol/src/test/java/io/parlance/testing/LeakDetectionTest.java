package io.parlance.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LeakDetectionTest {

  @Test
  void aBufferDroppedWithoutReleaseIsReportedByTheRecordingDetector() throws InterruptedException {
    RecordingLeakDetector.drain();
    leakOne();
    List<String> leaks = new ArrayList<>();
    for (int i = 0; i < 20 && leaks.isEmpty(); i++) {
      System.gc();
      Thread.sleep(20);
      PooledByteBufAllocator.DEFAULT.heapBuffer(8).release();
      leaks.addAll(RecordingLeakDetector.drain());
    }
    assertThat(leaks).isNotEmpty().allSatisfy(leak -> assertThat(leak).startsWith("LEAK: "));
  }

  private static void leakOne() {
    ByteBuf leaked = PooledByteBufAllocator.DEFAULT.heapBuffer(8);
    leaked.writeInt(42);
  }
}
