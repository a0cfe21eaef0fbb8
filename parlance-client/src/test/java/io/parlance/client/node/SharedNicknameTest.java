package io.parlance.client.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.parlance.client.messaging.InboundSink;
import io.parlance.client.messaging.MessageServer;
import io.parlance.client.messaging.PeerTls;
import io.parlance.client.peer.Peer;
import io.parlance.client.security.Identity;
import io.parlance.client.security.TlsContexts;
import io.parlance.client.store.StoredMessage;
import io.parlance.client.testing.TestNodes;
import io.parlance.client.testing.TestNodes.Started;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 21's two bobs (one nickname, two keys, both online: not a key change) and issue 22 item 4
 * (a man in the middle is told to the user as an event, not only a queued state).
 */
class SharedNicknameTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  private final TestNodes nodes = new TestNodes();
  private final EventLoopGroup group = new NioEventLoopGroup(1);

  @AfterEach
  void stop() {
    nodes.close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  @Test
  void twoBobsOnlineAreTwoPeersNotAKeyChangeAndAreNeverMixed() throws Exception {
    String bob = nodes.nick("bob");
    Started alice = nodes.start(nodes.nick("alice"));
    Started bob1 = nodes.start(bob);
    await().atMost(WAIT).until(() -> alice.sees(bob));
    Started bob2 = nodes.start(bob);
    await().atMost(WAIT).until(() -> alice.node().directory().byNickname(bob).size() == 2);
    String short1 = bob1.node().identity().id().shortForm();
    String short2 = bob2.node().identity().id().shortForm();
    Peer first = alice.node().resolve(bob + "#" + short1);
    Peer second = alice.node().resolve(bob + "#" + short2);

    // No "key has changed" alarm: the pinned bob is online too.
    assertThat(alice.events(NodeEvent.TrustWarning.class)).isEmpty();
    assertThat(alice.node().trustOf(first)).isEqualTo("verified");
    assertThat(alice.node().trustOf(second)).isEqualTo("unpinned");

    // /send bob and /trust bob say which to pick.
    assertThatThrownBy(() -> alice.node().send(bob, "which?").get(10, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(SendException.class)
        .hasMessageContaining(bob + "#" + short1)
        .hasMessageContaining("the one you trust")
        .hasMessageContaining(bob + "#" + short2);
    assertThatThrownBy(() -> alice.node().trust(bob))
        .hasMessageContaining(bob + "#" + short1)
        .hasMessageContaining(bob + "#" + short2);

    // The second bob's messages are shown as his own, not refused and not as the first bob.
    bob1.node().send(alice.node().nickname(), "from the first").get(10, TimeUnit.SECONDS);
    bob2.node().send(alice.node().nickname(), "from the second").get(10, TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> alice.received().size() == 2);
    assertThat(alice.events(NodeEvent.MessageRejected.class)).isEmpty();
    assertThat(alice.events(NodeEvent.MessageReceived.class))
        .anySatisfy(
            m -> {
              assertThat(m.content()).isEqualTo("from the second");
              assertThat(m.sender()).isEqualTo(bob + "#" + short2);
              assertThat(m.unpinned()).isTrue();
              assertThat(m.verified()).isTrue();
            })
        .anySatisfy(
            m -> {
              assertThat(m.content()).isEqualTo("from the first");
              assertThat(m.sender()).isEqualTo(bob + "#" + short1);
              assertThat(m.unpinned()).isFalse();
            });

    // /history bob does not mix them: it asks which; each by its id's start is its own.
    assertThatThrownBy(() -> alice.node().history(bob, 10).get(10, TimeUnit.SECONDS))
        .hasMessageContaining(bob + "#" + short1)
        .hasMessageContaining(bob + "#" + short2);
    assertThat(alice.node().history(bob + "#" + short2, 10).get(10, TimeUnit.SECONDS))
        .extracting(StoredMessage::content)
        .containsExactly("from the second");

    // Trusting the second one is a deliberate choice; then it is reached by its id's start.
    alice.node().trust(bob + "#" + short2);
    alice.node().send(bob + "#" + short2, "hi second").get(10, TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> bob2.received().contains("hi second"));
    assertThat(bob1.received()).doesNotContain("hi second");
  }

  @Test
  void aManInTheMiddleIsToldAsAnIdentityMismatchEventOnceNotAtEveryRetry() throws Exception {
    Started alice = nodes.start(nodes.nick("alice"));
    Started bob = nodes.start(nodes.nick("bob"));
    await().atMost(WAIT).until(() -> alice.sees(bob.node().nickname()));
    Peer realBob = alice.node().resolve(bob.node().nickname());
    Identity mallory = Identity.generate();
    AtomicInteger lines = new AtomicInteger();
    MessageServer impostor =
        new MessageServer(
            new InetSocketAddress("127.0.0.1", 0),
            message -> {
              lines.incrementAndGet();
              return InboundSink.Outcome.NOTHING.now();
            },
            8,
            65536,
            1000,
            Duration.ofMinutes(1),
            new PeerTls.Contexts(TlsContexts.server(mallory), TlsContexts.client(mallory), false));
    InetSocketAddress at = impostor.start(group);
    try {
      alice
          .node()
          .directory()
          .upsert(new Peer(realBob.nickname(), at, Peer.LAN, realBob.id(), Set.of("tls", "ack")));
      for (int i = 0; i < 3; i++) {
        alice.node().send("127.0.0.1:" + at.getPort(), "for bob " + i).get(10, TimeUnit.SECONDS);
      }
      await().atMost(WAIT).until(() -> !alice.events(NodeEvent.IdentityMismatch.class).isEmpty());
      assertThat(alice.events(NodeEvent.IdentityMismatch.class))
          .singleElement()
          .satisfies(
              e -> {
                assertThat(e.peer().address()).isEqualTo(at);
                assertThat(e.message())
                    .contains(mallory.id().toString())
                    .contains(realBob.id().toString())
                    .contains("stay queued");
              });
      assertThat(lines.get()).isZero();
    } finally {
      impostor.close(Duration.ofSeconds(1));
    }
  }
}
