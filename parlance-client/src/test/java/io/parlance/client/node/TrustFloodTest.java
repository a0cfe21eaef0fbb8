package io.parlance.client.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import io.parlance.client.peer.Peer;
import io.parlance.client.security.PeerId;
import io.parlance.client.security.TrustStore;
import io.parlance.client.testing.TestNodes;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 22, item 6, through a running node: peers with fresh keys flooding in on an event loop (as
 * discovery hands them over) pin a bounded number of nicknames, the file is never written on that
 * loop (BlockHound fails the test otherwise), and a peer we exchanged a message with keeps its pin.
 */
class TrustFloodTest {

  /** More than the cap: each fresh key is also a peer the outbox and directory take in. */
  private static final int FLOOD = 600;

  @TempDir Path dir;
  private final TestNodes nodes = new TestNodes();

  @AfterEach
  void close() {
    nodes.close();
  }

  @Test
  void aFloodOfAnnouncedKeysPinsABoundedNumberOfNicknamesOffTheEventLoop() throws Exception {
    TestNodes.Started alice =
        nodes.start(nodes.options(nodes.nick("alice")).dataDir(dir.resolve("alice")).build());
    List<Peer> flood = new ArrayList<>();
    KeyPairGenerator keys = KeyPairGenerator.getInstance("Ed25519");
    for (int i = 0; i < FLOOD; i++) {
      flood.add(
          new Peer(
              "spam" + i,
              new InetSocketAddress("127.0.0.1", 20_000 + i),
              Peer.LAN,
              PeerId.of(keys.generateKeyPair().getPublic()),
              Set.of("tls", "ack")));
    }

    EventLoop loop = new DefaultEventLoop();
    try {
      loop.submit(() -> flood.forEach(alice.node().directory()::upsert)).get(60, TimeUnit.SECONDS);
    } finally {
      loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
    alice.node().stop(); // writes what is left

    TrustStore pinned = TrustStore.load(dir.resolve("alice"));
    assertThat(pinned.size()).isEqualTo(TrustStore.MAX_UNCONFIRMED);
    assertThat(pinned.remembered("spam" + (FLOOD - 1))).containsExactly(flood.get(FLOOD - 1).id());
    assertThat(pinned.remembered("spam0")).isEmpty();
  }
}
