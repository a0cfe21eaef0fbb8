package io.parlance.client.internet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.parlance.bootstrap.BootstrapServer;
import io.parlance.bootstrap.BootstrapServerConfig;
import io.parlance.bootstrap.registry.PeerEntry;
import io.parlance.client.security.Identity;
import io.parlance.protocol.bootstrap.BootstrapFrame;
import io.parlance.protocol.bootstrap.BootstrapFrameDecoder;
import io.parlance.protocol.bootstrap.BootstrapFrameEncoder;
import io.parlance.protocol.bootstrap.ClientFrame;
import io.parlance.protocol.bootstrap.ErrorCode;
import io.parlance.protocol.bootstrap.HostPort;
import io.parlance.protocol.bootstrap.ServerFrame;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The connector with identities, against a real server on loopback. */
class BootstrapClientIdentityTest {

  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final String NONCE = Base64.getEncoder().encodeToString(new byte[32]);

  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final Identity alice = Identity.generate();
  private final Identity bob = Identity.generate();
  private final Identity mallory = Identity.generate();
  private BootstrapServer server;

  @AfterEach
  void stopEverything() throws Exception {
    for (AutoCloseable c : toClose) {
      c.close();
    }
    if (server != null) {
      server.stop();
    }
  }

  private void startServer() throws Exception {
    server =
        BootstrapServer.start(
            BootstrapServerConfig.builder()
                .host("127.0.0.1")
                .port(0)
                .batchInterval(Duration.ofMillis(50))
                .build());
  }

  private BootstrapClient client(
      String url,
      String nickname,
      int port,
      RecordingListener listener,
      Consumer<BootstrapClientOptions.Builder> settings)
      throws Exception {
    BootstrapClientOptions.Builder b =
        BootstrapClientOptions.builder(url, nickname, port)
            .backoff(Duration.ofMillis(50), Duration.ofMillis(400));
    settings.accept(b);
    BootstrapClient c = BootstrapClient.start(b.build(), listener);
    toClose.add(0, c);
    return c;
  }

  private BootstrapClient client(
      String nickname, int port, Identity identity, RecordingListener listener) throws Exception {
    return client(
        "ws://127.0.0.1:" + server.port(),
        nickname,
        port,
        listener,
        b -> b.identity(identity).caps(List.of("tls", "ack")));
  }

  @Test
  void peersSeeEachOthersIdsAndCapsAndTheServerHoldsTheProof() throws Exception {
    startServer();
    RecordingListener a = new RecordingListener();
    RecordingListener b = new RecordingListener();
    client("alice", 4001, alice, a);
    client("bob", 4002, bob, b);
    await().atMost(WAIT).until(() -> a.peers.containsKey("bob") && b.peers.containsKey("alice"));
    assertThat(a.peers.get("bob"))
        .isEqualTo(
            new RemotePeer(
                "bob",
                new InetSocketAddress("127.0.0.1", 4002),
                bob.id(),
                Set.of("tls", "ack"),
                bob.encodedPublicKey()));
    assertThat(b.peers.get("alice").id()).isEqualTo(alice.id());
    PeerEntry held = server.registry().lookup("alice").orElseThrow();
    assertThat(held.id()).isEqualTo(alice.id().value());
    assertThat(held.key()).isEqualTo(alice.encodedPublicKey());
    assertThat(held.toPeerInfo().identityProblem()).isEmpty();
  }

  @Test
  void aPlainClientStillRegistersAndIsSeenWithoutAnId() throws Exception {
    startServer();
    RecordingListener a = new RecordingListener();
    RecordingListener plain = new RecordingListener();
    client("alice", 4001, alice, a);
    client("ws://127.0.0.1:" + server.port(), "carol", 4003, plain, b -> {});
    await().atMost(WAIT).until(() -> a.peers.containsKey("carol"));
    assertThat(a.peers.get("carol"))
        .isEqualTo(new RemotePeer("carol", new InetSocketAddress("127.0.0.1", 4003)));
    await().atMost(WAIT).until(() -> plain.peers.containsKey("alice"));
    assertThat(plain.peers.get("alice").id()).isEqualTo(alice.id());
  }

  /** What a lying server could list: registrations as their holders signed them, or not. */
  private PeerEntry entry(String nickname, Identity signer, Identity claimed, List<String> caps) {
    ClientFrame.Register unsigned =
        new ClientFrame.Register(
            nickname,
            5000,
            null,
            null,
            claimed.id().value(),
            signer.encodedPublicKey(),
            List.of("tls"),
            null);
    String sig = Base64.getEncoder().encodeToString(signer.sign(unsigned.signedPayload(NONCE)));
    return new PeerEntry(
        nickname,
        new InetSocketAddress("127.0.0.1", 5000),
        null,
        "elsewhere-" + nickname,
        unsigned.id(),
        unsigned.key(),
        caps,
        NONCE,
        sig);
  }

  @Test
  void aPeerWhoseIdentityDoesNotVerifyHereIsReportedAsPlainWhateverTheServerSays()
      throws Exception {
    startServer();
    server.registry().register(entry("genuine", alice, alice, List.of("tls")));
    server.registry().register(entry("stolen-id", mallory, alice, List.of("tls")));
    server.registry().register(entry("altered-caps", alice, alice, List.of("tls", "rooms")));
    RecordingListener l = new RecordingListener();
    client("reader", 4009, bob, l);
    await().atMost(WAIT).until(() -> l.peers.size() == 3);
    assertThat(l.peers.get("genuine").id()).isEqualTo(alice.id());
    assertThat(l.peers.get("genuine").caps()).containsExactly("tls");
    for (String forged : List.of("stolen-id", "altered-caps")) {
      assertThat(l.peers.get(forged).id()).as(forged).isNull();
      assertThat(l.peers.get(forged).caps()).as(forged).isEmpty();
    }
  }

  @Test
  void ourKeyTakesOurNicknameBackAtOnceFromAStaleRegistration() throws Exception {
    startServer();
    // Our previous connection, not yet found dead by the server.
    server.registry().register(entry("alice", alice, alice, List.of("tls")));
    RecordingListener l = new RecordingListener();
    BootstrapClient c = client("alice", 4001, alice, l);
    await().atMost(WAIT).until(c::isRegistered);
    assertThat(server.registry().lookup("alice").orElseThrow().toPeerInfo().address())
        .isEqualTo("127.0.0.1:4001");
    assertThat(l.errors).isEmpty();
  }

  @Test
  void aNicknameHeldByAnotherKeyIsReportedTaken() throws Exception {
    startServer();
    server.registry().register(entry("alice", mallory, mallory, List.of("tls")));
    RecordingListener l = new RecordingListener();
    client("alice", 4001, alice, l);
    await().atMost(WAIT).until(() -> !l.errors.isEmpty());
    assertThat(l.errors).singleElement().asString().startsWith("nickname_taken:");
  }

  @Test
  void aSecondCopyOfAnIdentityReplacesTheFirstWhichStopsRatherThanFightBack() throws Exception {
    startServer();
    RecordingListener first = new RecordingListener();
    RecordingListener second = new RecordingListener();
    BootstrapClient one = client("alice", 4001, alice, first);
    await().atMost(WAIT).until(one::isRegistered);
    BootstrapClient two = client("alice", 4002, alice, second);
    await().atMost(WAIT).until(() -> !first.errors.isEmpty() && !one.isRegistered());
    assertThat(first.errors)
        .singleElement()
        .asString()
        .startsWith(ErrorCode.REPLACED + ": another peer with this identity registered 'alice'");
    assertThat(first.disconnected).as("one status: the error said it all").isEmpty();
    assertThat(one.isRegistered()).isFalse();
    assertThat(two.isRegistered()).isTrue();
    assertThat(server.registry().lookup("alice").orElseThrow().toPeerInfo().address())
        .isEqualTo("127.0.0.1:4002");
  }

  @Test
  void aServerThatSendsNoChallengeGetsAPlainRegistration() throws Exception {
    List<ClientFrame.Register> received = new CopyOnWriteArrayList<>();
    EventLoopGroup group = new NioEventLoopGroup(1);
    try {
      Channel old = oldServer(group, received);
      RecordingListener l = new RecordingListener();
      InetSocketAddress address = (InetSocketAddress) old.localAddress();
      client(
          "ws://127.0.0.1:" + address.getPort(),
          "alice",
          4001,
          l,
          b -> b.identity(alice).connectTimeout(Duration.ofMillis(200)));
      await().atMost(WAIT).until(() -> !l.registered.isEmpty());
      assertThat(received).singleElement().satisfies(r -> assertThat(r.claimsIdentity()).isFalse());
    } finally {
      group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  /** A bootstrap server from before challenges: it answers a registration and nothing else. */
  private static Channel oldServer(EventLoopGroup group, List<ClientFrame.Register> received)
      throws InterruptedException {
    return new ServerBootstrap()
        .group(group)
        .channel(NioServerSocketChannel.class)
        .childHandler(
            new ChannelInitializer<SocketChannel>() {
              @Override
              protected void initChannel(SocketChannel ch) {
                ch.pipeline()
                    .addLast(
                        new HttpServerCodec(),
                        new HttpObjectAggregator(8192),
                        new WebSocketServerProtocolHandler("/"),
                        BootstrapFrameDecoder.CLIENT_FRAMES,
                        BootstrapFrameEncoder.INSTANCE,
                        new SimpleChannelInboundHandler<BootstrapFrame>() {
                          @Override
                          protected void channelRead0(
                              ChannelHandlerContext ctx, BootstrapFrame frame) {
                            if (!(frame instanceof ClientFrame)) {
                              // It knew only its own dialect, and said so with a code.
                              ctx.writeAndFlush(
                                  new ServerFrame.Error(
                                      ErrorCode.MALFORMED_FRAME,
                                      "required field 'tcp_port' is missing"));
                            } else if (frame instanceof ClientFrame.Register r) {
                              received.add(r);
                              InetSocketAddress at =
                                  new InetSocketAddress("127.0.0.1", r.tcpPort());
                              ctx.write(
                                  new ServerFrame.Registered(r.nickname(), HostPort.format(at), 1));
                              ctx.writeAndFlush(new ServerFrame.Peers(List.of(), null, null));
                            }
                          }
                        });
              }
            })
        .bind("127.0.0.1", 0)
        .sync()
        .channel();
  }
}
