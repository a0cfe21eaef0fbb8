package io.parlance.client.internet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import io.netty.util.concurrent.DefaultThreadFactory;
import io.parlance.bootstrap.BootstrapServer;
import io.parlance.bootstrap.BootstrapServerConfig;
import io.parlance.client.security.Identity;
import io.parlance.protocol.bootstrap.BootstrapFrame;
import io.parlance.protocol.bootstrap.BootstrapFrameDecoder;
import io.parlance.protocol.bootstrap.BootstrapFrameEncoder;
import io.parlance.protocol.bootstrap.ClientFrame;
import io.parlance.protocol.bootstrap.ErrorCode;
import io.parlance.protocol.bootstrap.ServerFrame;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Our connector against a server that behaves as the Rust Parlance's bootstrap server does, and a
 * client that behaves as the Rust one does against our server, beside one of ours (issue 16).
 */
class BootstrapClientRustDialectTest {

  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void stopEverything() throws Exception {
    for (AutoCloseable c : toClose) {
      c.close();
    }
  }

  private <T extends AutoCloseable> T closing(T c) {
    toClose.add(0, c);
    return c;
  }

  private BootstrapClient client(String url, String nickname, int port, RecordingListener l)
      throws Exception {
    return closing(
        BootstrapClient.start(
            BootstrapClientOptions.builder(url, nickname, port)
                .identity(Identity.generate())
                .backoff(Duration.ofMillis(50), Duration.ofMillis(400))
                .build(),
            l));
  }

  @Test
  void onARustServerOurPeerSaysSoRegistersWithALocalAddrAndFindsPeersByPolling() throws Exception {
    FakeRustBootstrapServer rust = closing(new FakeRustBootstrapServer());
    rust.peers.put(
        "c-1",
        new FakeRustBootstrapServer.Entry("c-1", "carol", "127.0.0.1:5000", "192.168.1.5:5000"));
    RecordingListener a = new RecordingListener();
    BootstrapClient alice = client(rust.url(), "alice", 4001, a);

    await().atMost(WAIT).until(() -> !a.registered.isEmpty());
    assertThat(a.registered).containsExactly(new InetSocketAddress("127.0.0.1", 4001));
    assertThat(a.errors)
        .singleElement()
        .asString()
        .startsWith(
            BootstrapClient.RUST_DIALECT + ": the bootstrap server " + rust.url() + "/ speaks")
        .contains("'alice' is registered there as a plain peer");
    assertThat(rust.received.get(0))
        .isEqualTo(
            JSON.readTree(
                "{\"type\":\"register\",\"nickname\":\"alice\",\"local_addr\":\"127.0.0.1:4001\"}"));

    await().atMost(WAIT).until(() -> a.online.containsKey("carol"));
    assertThat(a.online.get("carol")).isEqualTo(new InetSocketAddress("127.0.0.1", 5000));
    assertThat(a.peers.get("carol").id()).isNull();
    assertThat(a.online).doesNotContainKey("alice");

    RecordingListener b = new RecordingListener();
    client(rust.url(), "bob", 4002, b);
    await().atMost(WAIT).until(() -> a.online.containsKey("bob") && b.online.containsKey("alice"));
    assertThat(alice.lookup("bob").get(5, TimeUnit.SECONDS))
        .contains(new InetSocketAddress("127.0.0.1", 4002));

    rust.peers.remove("c-1");
    await().atMost(WAIT).until(() -> a.left.contains("carol"));
    assertThat(a.disconnected).isEmpty();
  }

  @Test
  void onARustServerOurPeerHeartbeatsAndPollsAndUnregistersWhenClosed() throws Exception {
    FakeRustBootstrapServer rust = closing(new FakeRustBootstrapServer());
    RecordingListener a = new RecordingListener();
    BootstrapClient alice = client(rust.url(), "alice", 4001, a);
    await().atMost(WAIT).until(() -> rust.count("heartbeat") >= 1);
    assertThat(rust.count("list_peers")).isGreaterThanOrEqualTo(2);
    assertThat(rust.count("register")).isEqualTo(1);
    assertThat(rust.peers).hasSize(1);

    alice.close();
    await().atMost(WAIT).until(() -> rust.count("unregister") == 1 && rust.peers.isEmpty());
    assertThat(a.disconnected).isEmpty();
  }

  @Test
  void anErrorFrameWithoutACodeIsShownToTheUser() throws Exception {
    FakeRustBootstrapServer rust = closing(new FakeRustBootstrapServer());
    rust.refuseNickname = "alice";
    RecordingListener a = new RecordingListener();
    client(rust.url(), "alice", 4001, a);
    await()
        .atMost(WAIT)
        .until(
            () ->
                a.errors.contains(
                    "server_error: the bootstrap server "
                        + rust.url()
                        + "/ says: Nickname refused by the test"));
    assertThat(a.registered).isEmpty();
  }

  @Test
  void aRustClientAndOursOnOurServerSeeEachOtherAndOursKeepsItsIdentity() throws Exception {
    BootstrapServer server =
        BootstrapServer.start(
            BootstrapServerConfig.builder()
                .host("127.0.0.1")
                .port(0)
                .batchInterval(Duration.ofMillis(50))
                .build());
    toClose.add(server::stop);
    String url = "ws://127.0.0.1:" + server.port();
    RecordingListener b = new RecordingListener();
    client(url, "bob", 4002, b);
    await().atMost(WAIT).until(() -> !b.registered.isEmpty());
    assertThat(b.errors).isEmpty();
    assertThat(server.registry().lookup("bob").orElseThrow().id()).isNotNull();

    RawRustClient carol = closing(new RawRustClient(url));
    carol.send("{\"type\":\"register\",\"nickname\":\"carol\",\"local_addr\":\"127.0.0.1:5000\"}");
    JsonNode registered = JSON.readTree(carol.next());
    assertThat(registered.path("type").asText()).isEqualTo("registered");
    assertThat(registered.path("public_addr").asText()).isEqualTo("127.0.0.1:5000");
    carol.send("{\"type\":\"list_peers\"}");
    JsonNode list = JSON.readTree(carol.next());
    assertThat(list.path("type").asText()).isEqualTo("peer_list");
    assertThat(list.path("peers").findValuesAsText("nickname")).containsExactly("bob", "carol");
    assertThat(list.path("peers").get(0).path("public_addr").asText()).isEqualTo("127.0.0.1:4002");
    assertThat(list.path("peers").get(0).path("last_seen").isIntegralNumber()).isTrue();

    await().atMost(WAIT).until(() -> b.online.containsKey("carol"));
    assertThat(b.online.get("carol")).isEqualTo(new InetSocketAddress("127.0.0.1", 5000));
    assertThat(b.peers.get("carol").id()).isNull();
  }

  @Test
  void ourServerThatChallengesLateStillGetsOurSignedRegistration() throws Exception {
    List<ClientFrame.Register> received = new CopyOnWriteArrayList<>();
    EventLoopGroup group = new NioEventLoopGroup(1, new DefaultThreadFactory("slow-server", true));
    toClose.add(() -> group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly());
    Channel slow = slowServer(group, received);
    RecordingListener a = new RecordingListener();
    client(
        "ws://127.0.0.1:" + ((InetSocketAddress) slow.localAddress()).getPort(), "alice", 4001, a);
    await().atMost(WAIT).until(() -> !a.registered.isEmpty());
    assertThat(received).singleElement().satisfies(r -> assertThat(r.sig()).isNotNull());
    assertThat(a.errors).isEmpty();
  }

  /**
   * A server of ours so slow that its challenge comes 1.5 s after the handshake: it refuses the
   * Rust registration sent meanwhile with unknown_type (after the challenge, in the order our
   * server sends them), as ours does, and takes the signed one.
   */
  private static Channel slowServer(EventLoopGroup group, List<ClientFrame.Register> received)
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
                          public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                            if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
                              ctx.executor()
                                  .schedule(
                                      () ->
                                          ctx.writeAndFlush(
                                              new ServerFrame.Challenge(
                                                  "IbN1FIKvt/Mhylas/th/LlCm501fFclVVfw4f55xido=")),
                                      1_500,
                                      TimeUnit.MILLISECONDS);
                            }
                          }

                          @Override
                          protected void channelRead0(
                              ChannelHandlerContext ctx, BootstrapFrame frame) {
                            if (!(frame instanceof ClientFrame)) {
                              // Behind its challenge, as everything from a stalled server is.
                              ctx.executor()
                                  .schedule(
                                      () ->
                                          ctx.writeAndFlush(
                                              new ServerFrame.Error(
                                                  ErrorCode.UNKNOWN_TYPE,
                                                  "that is the Rust dialect")),
                                      1_000,
                                      TimeUnit.MILLISECONDS);
                            } else if (frame instanceof ClientFrame.Register r) {
                              received.add(r);
                              ctx.write(
                                  new ServerFrame.Registered(r.nickname(), "127.0.0.1:4001", 1));
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
