package io.parlance.bench.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.parlance.protocol.bootstrap.ClientFrame;
import io.parlance.protocol.bootstrap.ServerFrame;
import org.junit.jupiter.api.Test;

/** Runs each frame benchmark once, so a broken benchmark fails the build rather than a JMH run. */
class FrameBenchmarkTest {

  @Test
  void everyBenchmarkRoundTripsItsSignedFrameAndTheSignaturesHold() throws Exception {
    FrameBenchmark benchmark = new FrameBenchmark();
    benchmark.setUp();

    assertThat(benchmark.registerDecode()).isEqualTo(benchmark.register());
    assertThat(benchmark.registerEncode()).isPositive();
    assertThat(benchmark.registerVerify()).isEmpty();
    ServerFrame.Peers page = (ServerFrame.Peers) benchmark.peersPageDecode();
    assertThat(page).isEqualTo(benchmark.page());
    assertThat(page.peers()).hasSize(200);
    assertThat(benchmark.peersPageEncode()).isGreaterThan(200 * 100);
    assertThat(benchmark.joinDecode()).isEqualTo(benchmark.joined());
    assertThat(benchmark.joinEncode()).isPositive();
    assertThat(benchmark.peerVerify()).isEmpty();
    assertThat(benchmark.signedAnnounceDecode()).isEqualTo(benchmark.announce());
    assertThat(benchmark.announceVerify()).isEmpty();
    assertThat(benchmark.register()).isInstanceOf(ClientFrame.Register.class);
  }
}
