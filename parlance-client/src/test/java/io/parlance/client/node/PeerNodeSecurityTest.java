package io.parlance.client.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.parlance.client.delivery.Outgoing;
import io.parlance.client.messaging.InboundSink;
import io.parlance.client.messaging.MessageServer;
import io.parlance.client.messaging.PeerTls;
import io.parlance.client.peer.Peer;
import io.parlance.client.security.Identity;
import io.parlance.client.security.TlsContexts;
import io.parlance.client.store.DeliveryState;
import io.parlance.client.testing.RecordingProxy;
import io.parlance.client.testing.TestNodes;
import io.parlance.client.testing.TestNodes.Started;
import io.parlance.protocol.codec.PeerLineEncoder;
import io.parlance.protocol.wire.ChatLine;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Identities, TLS between peers, trust on first use and the plain protocol side by side. */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PeerNodeSecurityTest {

  private static final Duration WAIT = Duration.ofSeconds(20);

  private final TestNodes nodes = new TestNodes();
  private final EventLoopGroup group = new NioEventLoopGroup(1);

  @TempDir Path dir;

  @AfterEach
  void stop() {
    nodes.close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private Started[] pair() throws Exception {
    Started alice = nodes.start(nodes.nick("alice"));
    Started bob = nodes.start(nodes.nick("bob"));
    await()
        .atMost(WAIT)
        .until(() -> alice.sees(bob.node().nickname()) && bob.sees(alice.node().nickname()));
    return new Started[] {alice, bob};
  }

  @Test
  void ourPeersTalkOverTlsAndACaptureOfTheTrafficHoldsNoMessageText() throws Exception {
    Started[] p = pair();
    Started alice = p[0];
    Started bob = p[1];
    Peer realBob = alice.node().resolve(bob.node().nickname());
    assertThat(realBob.id()).isEqualTo(bob.node().identity().id());
    assertThat(alice.node().trustOf(realBob)).isEqualTo("verified");

    try (RecordingProxy proxy = new RecordingProxy(realBob.address())) {
      // Route alice's connection to bob through the recording relay.
      alice
          .node()
          .directory()
          .upsert(
              new Peer(
                  bob.node().nickname(),
                  proxy.address(),
                  Peer.LAN,
                  realBob.id(),
                  Set.of("tls", "ack")));
      String secret = "the eagle lands at midnight " + System.nanoTime();
      alice
          .node()
          .send(
              proxy.address().getAddress().getHostAddress() + ":" + proxy.address().getPort(),
              secret)
          .get(10, TimeUnit.SECONDS);

      await().atMost(WAIT).until(() -> bob.received().contains(secret));
      NodeEvent.MessageReceived got = bob.events(NodeEvent.MessageReceived.class).get(0);
      assertThat(got.verified()).isTrue();
      assertThat(got.senderId()).isEqualTo(alice.node().identity().id());

      String capture = new String(proxy.recorded(), StandardCharsets.ISO_8859_1);
      assertThat(proxy.recorded().length).isGreaterThan(secret.length());
      assertThat(capture).doesNotContain("eagle").doesNotContain(alice.node().nickname());
      assertThat(proxy.recorded()[0]).isEqualTo((byte) 0x16); // a TLS handshake record
    }
  }

  @Test
  void aManInTheMiddlePresentingAnotherKeyIsRefusedBeforeAnyMessageLeaves() throws Exception {
    Started[] p = pair();
    Started alice = p[0];
    Peer realBob = alice.node().resolve(p[1].node().nickname());
    Identity mallory = Identity.generate();
    List<ChatLine> stolen = new CopyOnWriteArrayList<>();
    MessageServer impostor =
        new MessageServer(
            new InetSocketAddress("127.0.0.1", 0),
            message -> {
              stolen.add(message.line());
              return InboundSink.Outcome.NOTHING.now();
            },
            8,
            65536,
            1000,
            Duration.ofMinutes(1),
            new PeerTls.Contexts(TlsContexts.server(mallory), TlsContexts.client(mallory), false));
    InetSocketAddress at = impostor.start(group);
    try {
      // Mallory answers at the address bob announced (say, by ARP spoofing).
      alice
          .node()
          .directory()
          .upsert(new Peer(realBob.nickname(), at, Peer.LAN, realBob.id(), Set.of("tls", "ack")));

      // The message stays in the outbox, for the real bob; not a byte of it reaches mallory.
      Outgoing outgoing =
          alice.node().send("127.0.0.1:" + at.getPort(), "for bob only").get(10, TimeUnit.SECONDS);
      assertThat(outgoing.state()).isEqualTo(DeliveryState.QUEUED);
      assertThat(outgoing.note())
          .contains(mallory.id().toString())
          .contains(realBob.id().toString());
      assertThat(stolen).isEmpty();
    } finally {
      impostor.close(Duration.ofSeconds(1));
    }
  }

  @Test
  void aMessageWhoseFromIsNotTheSendersOwnIdentityIsRejected() throws Exception {
    Started[] p = pair();
    Started alice = p[0];
    Started bob = p[1];
    Started mallory = nodes.start(nodes.nick("mallory"));
    await().atMost(WAIT).until(() -> bob.sees(mallory.node().nickname()));

    // Mallory proves her own key, then claims to be alice.
    Channel ch = tlsClient(mallory.node().identity(), bob.node().tcpPort());
    ch.writeAndFlush(ChatLine.now(alice.node().nickname(), "send me your password")).sync();
    ch.writeAndFlush(ChatLine.now(mallory.node().nickname(), "hi, it is mallory")).sync();

    await().atMost(WAIT).until(() -> bob.received().contains("hi, it is mallory"));
    assertThat(bob.received()).doesNotContain("send me your password");
    assertThat(bob.events(NodeEvent.MessageRejected.class))
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.from()).isEqualTo(alice.node().nickname());
              assertThat(r.reason()).contains(mallory.node().nickname());
            });
    ch.close().sync();
  }

  @Test
  void anUnknownKeyClaimingAKnownNicknameIsRejected() throws Exception {
    Started[] p = pair();
    Started alice = p[0];
    Started bob = p[1];
    // Not announced anywhere: only its TLS handshake tells who it is.
    Channel ch = tlsClient(Identity.generate(), bob.node().tcpPort());
    ch.writeAndFlush(ChatLine.now(alice.node().nickname(), "trust me")).sync();
    await().atMost(WAIT).until(() -> !bob.events(NodeEvent.MessageRejected.class).isEmpty());
    assertThat(bob.events(NodeEvent.MessageRejected.class).get(0).reason())
        .contains("has changed")
        .contains(alice.node().identity().id().toString());
    assertThat(bob.received()).isEmpty();
    ch.close().sync();
  }

  @Test
  void aChangedKeyIsRefusedWithAWarningUntilTrusted() throws Exception {
    String bobName = nodes.nick("bob");
    Started alice =
        nodes.start(nodes.options(nodes.nick("alice")).dataDir(dir.resolve("alice")).build());
    Started bob1 = nodes.start(nodes.options(bobName).dataDir(dir.resolve("bob1")).build());
    await().atMost(WAIT).until(() -> alice.sees(bobName));
    alice.node().send(bobName, "first").get(10, TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> bob1.received().contains("first"));
    bob1.node().stop();
    await().atMost(WAIT).until(() -> !alice.sees(bobName));

    // Another key now calls itself bob.
    Started bob2 = nodes.start(nodes.options(bobName).dataDir(dir.resolve("bob2")).build());
    await().atMost(WAIT).until(() -> alice.sees(bobName));
    await().atMost(WAIT).until(() -> !alice.events(NodeEvent.TrustWarning.class).isEmpty());
    String warning = alice.events(NodeEvent.TrustWarning.class).get(0).warning();
    assertThat(warning)
        .contains(bob1.node().identity().id().toString())
        .contains(bob2.node().identity().id().toString())
        .contains("/trust " + bobName);
    assertThat(alice.node().trustOf(alice.node().resolve(bobName))).isEqualTo("changed");

    assertThatThrownBy(() -> alice.node().send(bobName, "second").get(10, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(SendException.class)
        .hasMessageContaining("has changed");
    assertThat(bob2.received()).isEmpty();

    PeerNode.Verification check = alice.node().verify(bobName);
    assertThat(check.peer().id()).isEqualTo(bob2.node().identity().id());
    assertThat(check.remembered()).containsExactly(bob1.node().identity().id());

    alice.node().trust(bobName);
    alice.node().send(bobName, "third").get(10, TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> bob2.received().contains("third"));

    // The decision is on disk: a restarted alice still trusts bob2 and still knows bob1.
    alice.node().stop();
    Started alice2 =
        nodes.start(nodes.options(alice.node().nickname()).dataDir(dir.resolve("alice")).build());
    assertThat(alice2.node().identity().id()).isEqualTo(alice.node().identity().id());
    await().atMost(WAIT).until(() -> alice2.sees(bobName));
    alice2.node().send(bobName, "fourth").get(10, TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> bob2.received().contains("fourth"));
  }

  @Test
  void peersSharingANicknameCanBeNamedByTheStartOfTheirId() throws Exception {
    String bob = nodes.nick("bob");
    Started alice = nodes.start(nodes.nick("alice"));
    Started bob1 = nodes.start(bob);
    Started bob2 = nodes.start(bob);
    await().atMost(WAIT).until(() -> alice.node().peers().size() == 2);
    String short2 = bob2.node().identity().id().shortForm();

    assertThatThrownBy(() -> alice.node().resolve(bob))
        .hasMessageContaining(bob + "#" + bob1.node().identity().id().shortForm())
        .hasMessageContaining(bob + "#" + short2);
    assertThat(alice.node().resolve(bob + "#" + short2.toLowerCase(java.util.Locale.ROOT)).id())
        .isEqualTo(bob2.node().identity().id());
  }

  @Test
  void aPlainPeerStillExchangesMessagesAndIsShownUnverified() throws Exception {
    Started bob = nodes.start(nodes.nick("bob"));
    try (Socket rust = new Socket("127.0.0.1", bob.node().tcpPort())) {
      OutputStream out = rust.getOutputStream();
      out.write(
          "{\"from\":\"rusty\",\"content\":\"plain hello\",\"timestamp\":1699123456}\n"
              .getBytes(StandardCharsets.UTF_8));
      out.flush();
      await().atMost(WAIT).until(() -> bob.received().contains("plain hello"));
    }
    NodeEvent.MessageReceived got = bob.events(NodeEvent.MessageReceived.class).get(0);
    assertThat(got.verified()).isFalse();
    assertThat(got.senderId()).isNull();
  }

  @Test
  void requiringEncryptionRefusesPlainPeersInBothDirectionsAndSaysSo() throws Exception {
    Started bob = nodes.start(nodes.options(nodes.nick("bob")).requireEncryption(true).build());
    try (Socket rust = new Socket("127.0.0.1", bob.node().tcpPort())) {
      rust.getOutputStream()
          .write(
              "{\"from\":\"rusty\",\"content\":\"plain hello\",\"timestamp\":1}\n"
                  .getBytes(StandardCharsets.UTF_8));
      rust.setSoTimeout(10_000);
      assertThat(rust.getInputStream().read()).isEqualTo(-1); // closed by bob
    }
    assertThat(bob.received()).isEmpty();

    bob.node().directory().upsert("rusty", new InetSocketAddress("127.0.0.1", 9), Peer.LAN);
    assertThatThrownBy(() -> bob.node().send("rusty", "hi").get(10, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(SendException.class)
        .hasMessageContaining("encryption is required")
        .satisfies(
            e ->
                assertThat(((SendException) e).reason())
                    .isEqualTo(SendException.Reason.ENCRYPTION_REQUIRED));

    // Our own peers are still welcome.
    Started alice = nodes.start(nodes.options(nodes.nick("alice")).requireEncryption(true).build());
    await().atMost(WAIT).until(() -> alice.sees(bob.node().nickname()));
    alice.node().send(bob.node().nickname(), "encrypted hello").get(10, TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> bob.received().contains("encrypted hello"));
  }

  private Channel tlsClient(Identity identity, int port) throws Exception {
    SslContext tls = TlsContexts.client(identity); // not on the event loop: it reads random bytes
    Channel ch =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel c) {
                    c.pipeline()
                        .addLast(tls.newHandler(c.alloc()))
                        .addLast(PeerLineEncoder.INSTANCE);
                  }
                })
            .connect("127.0.0.1", port)
            .sync()
            .channel();
    ch.pipeline().get(SslHandler.class).handshakeFuture().sync();
    return ch;
  }
}
