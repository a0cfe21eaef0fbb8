package io.parlance.client.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.parlance.client.testing.TestNodes;
import io.parlance.client.testing.TestNodes.Started;
import io.parlance.protocol.Protocol;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the node's listener takes from a plain (Rust-style) sender, and what it tells its user. */
class PeerNodeListenerTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  private final TestNodes nodes = new TestNodes();

  @AfterEach
  void stopNodes() {
    nodes.close();
  }

  private static void sendLikeRust(int port, String line) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      OutputStream out = socket.getOutputStream();
      try {
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
      } catch (IOException e) {
        // the listener may reset a connection whose line it refused while we still write
      }
    }
  }

  @Test
  void aSeventyThousandCharacterMessageFromAPlainSenderArrivesWhole() throws Exception {
    Started alice = nodes.start(nodes.nick("alice"));
    String text = "long ".repeat(14_000);

    sendLikeRust(
        alice.node().tcpPort(),
        "{\"from\":\"rusty\",\"content\":\"" + text + "\",\"timestamp\":1699123456}");

    await().atMost(WAIT).until(() -> alice.received().contains(text));
  }

  @Test
  void aLineOverTheLimitIsDroppedAndTheUserIsToldWhoSentWhatSizeAndWhy() throws Exception {
    Started alice = nodes.start(nodes.nick("alice"));
    String text = "x".repeat(Protocol.MAX_LINE_BYTES);

    sendLikeRust(
        alice.node().tcpPort(),
        "{\"from\":\"rusty\",\"content\":\"" + text + "\",\"timestamp\":1}");

    await().atMost(WAIT).until(() -> !alice.events(NodeEvent.LineRefused.class).isEmpty());
    NodeEvent.LineRefused refused = alice.events(NodeEvent.LineRefused.class).get(0);
    assertThat(refused.from()).isEqualTo("rusty");
    assertThat(refused.address()).matches("127(\\.\\d{1,3}){3}:\\d+");
    assertThat(refused.bytes()).isGreaterThan(Protocol.MAX_LINE_BYTES);
    assertThat(refused.reason()).contains("over the limit of " + Protocol.MAX_LINE_BYTES);
    assertThat(alice.received()).isEmpty();
  }

  @Test
  void aSendOfNearlyOneMebibyteGoesThroughBetweenTwoNodes() throws Exception {
    Started alice = nodes.start(nodes.nick("alice"));
    Started bob = nodes.start(nodes.nick("bob"));
    await().atMost(WAIT).until(() -> alice.sees(nodes.nick("bob")));
    String text = "p".repeat(Protocol.MAX_LINE_BYTES - 200);

    alice.node().send(nodes.nick("bob"), text).get(10, java.util.concurrent.TimeUnit.SECONDS);

    await().atMost(WAIT).until(() -> bob.received().contains(text));
  }
}
