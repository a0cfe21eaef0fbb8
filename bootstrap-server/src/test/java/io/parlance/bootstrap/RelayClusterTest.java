package io.parlance.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import io.parlance.bootstrap.cluster.ClusterOptions;
import io.parlance.protocol.bootstrap.BootstrapProtocol;
import io.parlance.protocol.bootstrap.ClientFrame;
import io.parlance.protocol.bootstrap.RelayFrames;
import io.parlance.protocol.bootstrap.ServerFrame;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Relayed sessions between peers registered on different servers of a cluster on a real {@code
 * redis-server}: the offer goes through Redis to the target's server alone, both peers meet on the
 * requester's server's relay, and each token works once, for its own key only.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RelayClusterTest {

  private static final Duration HEARTBEAT = Duration.ofMillis(200);
  private static final Duration LIVENESS = Duration.ofSeconds(1);

  private RedisServer redis;
  private final List<BootstrapServer> servers = new ArrayList<>();
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @BeforeEach
  void startRedis() throws Exception {
    redis = RedisServer.start();
  }

  @AfterEach
  void stopAll() throws Exception {
    for (AutoCloseable c : toClose) {
      c.close();
    }
    servers.forEach(BootstrapServer::stop);
    if (redis != null) {
      redis.close();
    }
  }

  private BootstrapServer server(String id) throws Exception {
    BootstrapServer s =
        BootstrapServer.start(
            BootstrapServerConfig.builder()
                .host("127.0.0.1")
                .port(0)
                .batchInterval(Duration.ofMillis(50))
                .registrationRatePerIp(1000, 1000)
                .maxConnectionsPerIp(1000)
                .cluster(
                    ClusterOptions.defaults(redis.uri(), id, Duration.ofMinutes(10))
                        .withTimes(HEARTBEAT, LIVENESS))
                .build());
    servers.add(s);
    return s;
  }

  private WsTestClient client(URI uri) throws Exception {
    WsTestClient c = WsTestClient.connect(uri);
    toClose.add(c);
    return c;
  }

  private static URI base(BootstrapServer s) {
    return URI.create("ws://127.0.0.1:" + s.port() + "/");
  }

  private static String relayOf(BootstrapServer s) {
    return "ws://127.0.0.1:" + s.port() + RelayFrames.PATH;
  }

  /** A peer registered with a key and the relay capability. */
  private record Peer(String nickname, TestKeys keys, WsTestClient ws) {
    RelayFrames.Join join(String token) {
      return new RelayFrames.Join(token, keys.id(), keys.sign(RelayFrames.joinPayload(token)));
    }
  }

  private Peer relayable(BootstrapServer s, String nickname) throws Exception {
    TestKeys keys = TestKeys.generate();
    WsTestClient ws = client(base(s));
    String nonce = ws.await(ServerFrame.Challenge.class).nonce();
    ClientFrame.Register unsigned =
        new ClientFrame.Register(
            nickname,
            4000,
            null,
            null,
            keys.id(),
            keys.key(),
            List.of("tls", "ack", RelayFrames.CAP),
            null);
    ws.send(keys.signed(unsigned, nonce));
    ws.await(ServerFrame.Registered.class);
    return new Peer(nickname, keys, ws);
  }

  /** Waits until every server's copy lists the nickname. */
  private void listedEverywhere(String nickname) {
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> servers.stream().allMatch(s -> s.registry().lookup(nickname).isPresent()));
  }

  @Test
  void peersOnTwoServersMeetOnTheRequestersRelayAndTheirBytesGoBothWays() throws Exception {
    BootstrapServer a = server("a");
    BootstrapServer b = server("b");
    BootstrapServer c = server("c");
    Peer alice = relayable(a, "alice");
    Peer bob = relayable(b, "bob");
    Peer carol = relayable(c, "carol");
    listedEverywhere("bob");
    listedEverywhere("carol");

    alice.ws().send(new RelayFrames.Request("bob", bob.keys().id(), "r1"));
    RelayFrames.Offer offer = bob.ws().await(RelayFrames.Offer.class);
    RelayFrames.Ready ready = alice.ws().await(RelayFrames.Ready.class);
    assertThat(ready.id()).isEqualTo("r1");
    assertThat(ready.peer()).isEqualTo(bob.keys().id());
    assertThat(offer.nickname()).isEqualTo("alice");
    assertThat(offer.peer()).isEqualTo(alice.keys().id());
    assertThat(offer.relay()).isEqualTo(relayOf(a));

    WsTestClient sideA = client(URI.create(relayOf(a)));
    sideA.send(alice.join(ready.token()));
    WsTestClient sideB = client(URI.create(offer.relay()));
    sideB.send(bob.join(offer.token()));
    sideA.await(RelayFrames.Paired.class);
    sideB.await(RelayFrames.Paired.class);
    sideA.sendBinary("\u0016 from alice on a".getBytes(StandardCharsets.UTF_8));
    assertThat(new String(sideB.awaitBinary(), StandardCharsets.UTF_8))
        .isEqualTo("\u0016 from alice on a");
    sideB.sendBinary(new byte[] {0, 1, 2, (byte) 0xff});
    assertThat(sideA.awaitBinary()).containsExactly(0, 1, 2, 0xff);

    // The session lives on a, the requester's server; b only passed the offer on.
    assertThat(a.scrapeMetrics()).contains("bootstrap_relay_sessions_paired 1.0");
    assertThat(b.scrapeMetrics()).contains("bootstrap_relay_sessions 0.0");
    // Routed, not broadcast: carol's server got nothing, so her next frame is her lookup's answer.
    assertThat(framesUntilLookedUp(carol.ws())).noneMatch(RelayFrames.Offer.class::isInstance);
    for (BootstrapServer s : servers) {
      assertThat(s.cluster().orElseThrow().malformedOffers()).isZero();
    }
  }

  @Test
  void aTokenWorksOnceAndOnlyForItsOwnKey() throws Exception {
    BootstrapServer a = server("a");
    BootstrapServer b = server("b");
    Peer alice = relayable(a, "alice");
    Peer bob = relayable(b, "bob");
    Peer mallory = relayable(b, "mallory");
    listedEverywhere("bob");

    alice.ws().send(new RelayFrames.Request("bob", bob.keys().id(), null));
    RelayFrames.Offer offer = bob.ws().await(RelayFrames.Offer.class);
    RelayFrames.Ready ready = alice.ws().await(RelayFrames.Ready.class);
    String token = offer.token();

    // A third key with bob's token: its own id, or bob's id with its own signature.
    WsTestClient third = client(URI.create(offer.relay()));
    third.send(mallory.join(token));
    assertThat(third.await(ServerFrame.Error.class).message()).contains("another peer");
    assertThat(third.closeCode()).isEqualTo(BootstrapProtocol.CLOSE_POLICY_VIOLATION);
    WsTestClient forged = client(URI.create(offer.relay()));
    forged.send(
        new RelayFrames.Join(
            token, bob.keys().id(), mallory.keys().sign(RelayFrames.joinPayload(token))));
    assertThat(forged.await(ServerFrame.Error.class).message()).contains("signature");
    // A signature over another token does not do either.
    WsTestClient replayedSig = client(URI.create(offer.relay()));
    replayedSig.send(
        new RelayFrames.Join(
            token, bob.keys().id(), bob.keys().sign(RelayFrames.joinPayload(ready.token()))));
    assertThat(replayedSig.await(ServerFrame.Error.class).message()).contains("signature");
    // Across servers the join must prove the key: the bare token is not enough.
    WsTestClient bare = client(URI.create(offer.relay()));
    bare.send(new RelayFrames.Join(token));
    assertThat(bare.await(ServerFrame.Error.class).message()).contains("signed");

    // None of those spent it: bob still joins, and then it is spent.
    WsTestClient sideA = client(URI.create(relayOf(a)));
    sideA.send(alice.join(ready.token()));
    WsTestClient sideB = client(URI.create(offer.relay()));
    sideB.send(bob.join(token));
    sideB.await(RelayFrames.Paired.class);
    sideA.await(RelayFrames.Paired.class);
    WsTestClient replay = client(URI.create(offer.relay()));
    replay.send(bob.join(token));
    assertThat(replay.await(ServerFrame.Error.class).message()).contains("unknown or spent");
    WsTestClient replayA = client(URI.create(relayOf(a)));
    replayA.send(alice.join(ready.token()));
    assertThat(replayA.await(ServerFrame.Error.class).message()).contains("unknown or spent");
    assertThat(sideA.isOpen()).isTrue();
    assertThat(sideB.isOpen()).isTrue();
  }

  @Test
  void anOfferForAPeerWhoseServerDiedIsRefusedAndFreesTheSession() throws Exception {
    BootstrapServer a = server("a");
    BootstrapServer b = server("b");
    Peer alice = relayable(a, "alice");
    Peer bob = relayable(b, "bob");
    listedEverywhere("bob");
    b.cluster().orElseThrow().halt();
    alice.ws().send(new RelayFrames.Request("bob", bob.keys().id(), "r2"));
    ServerFrame.Error refused = alice.ws().await(ServerFrame.Error.class);
    assertThat(refused.code()).isEqualTo(RelayFrames.REFUSED);
    assertThat(refused.id()).isEqualTo("r2");
    assertThat(refused.message()).contains("'bob'");
    assertThat(a.scrapeMetrics()).contains("bootstrap_relay_sessions 0.0");
  }

  @Test
  void malformedOffersOnAServersChannelAreDroppedAndDeliverNothing() throws Exception {
    BootstrapServer b = server("b");
    Peer bob = relayable(b, "bob");
    String token = RelayFrames.newToken(new java.security.SecureRandom());
    String id = bob.keys().id();
    List<String> bad =
        List.of(
            "offer\nx",
            "nonsense\nowner\nalice\n" + id + "\n" + token + "\n",
            "offer\nowner\n\u001b[2J\n" + id + "\n" + token + "\n",
            "offer\nowner\nalice\nnot-an-id\n" + token + "\n",
            "offer\nowner\nalice\n" + id + "\nshort\n",
            "offer\nowner\nalice\n" + id + "\n" + token + "\nhttp://evil/relay",
            "offer\nowner\nalice\n" + id + "\n" + token + "\nws://x/" + "a".repeat(3000));
    for (String message : bad) {
      // Each reaches b and only b: one subscriber on its channel.
      assertThat(redis.integer("PUBLISH parlance:relay:b " + quote(message))).isEqualTo(1);
    }
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> b.cluster().orElseThrow().malformedOffers() == bad.size());
    assertThat(framesUntilLookedUp(bob.ws())).noneMatch(RelayFrames.Offer.class::isInstance);
  }

  /** Asks a lookup and returns every frame the peer got up to its answer. */
  private static List<Object> framesUntilLookedUp(WsTestClient ws) throws Exception {
    ws.send(new ClientFrame.Lookup("nobody", "l-end"));
    List<Object> got = new ArrayList<>();
    while (true) {
      Object f = ws.next(10, TimeUnit.SECONDS);
      assertThat(f).as("a frame within 10 s").isNotNull();
      got.add(f);
      if (f instanceof ServerFrame.LookupResult || f instanceof ServerFrame.Error) {
        return got;
      }
    }
  }

  private static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
  }
}
