package io.parlance.bench.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.parlance.protocol.wire.Announce;
import io.parlance.protocol.wire.ChatLine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Runs every benchmark method once, so a broken benchmark fails the build, not a bench run. */
class CodecBenchmarkTest {

  private final CodecBenchmark benchmark = new CodecBenchmark();

  @BeforeEach
  void setUp() {
    benchmark.contentLength = 16;
  }

  @AfterEach
  void tearDown() {
    benchmark.tearDown();
  }

  @ParameterizedTest
  @ValueSource(ints = {16, 1024})
  void everyBenchmarkProducesTheExpectedMessage(int contentLength) {
    benchmark.contentLength = contentLength;
    benchmark.setUp();
    ChatLine decoded = benchmark.chatLineFromJson();
    assertThat(decoded.from()).isEqualTo("alice");
    assertThat(decoded.content()).hasSize(contentLength);
    assertThat(benchmark.chatLineDecodePipeline()).isEqualTo(decoded);
    int jsonLength = benchmark.chatLineToJson();
    assertThat(benchmark.chatLineEncodePipeline()).isEqualTo(jsonLength + 1);
    assertThat(benchmark.announceEncodePipeline())
        .isEqualTo("{\"type\":\"announce\",\"nickname\":\"alice\",\"tcp_port\":36091}".length());
    assertThat(benchmark.announceDecodePipeline().message())
        .isEqualTo(new Announce("alice", 36091));
  }
}
