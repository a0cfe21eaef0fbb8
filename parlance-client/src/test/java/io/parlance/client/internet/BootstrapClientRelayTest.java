package io.parlance.client.internet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.parlance.bootstrap.BootstrapServer;
import io.parlance.bootstrap.BootstrapServerConfig;
import io.parlance.client.messaging.HolePunch;
import io.parlance.client.security.Identity;
import io.parlance.protocol.bootstrap.PunchFrames;
import io.parlance.protocol.bootstrap.RelayFrames;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The connector's side of relay pairing, against a real server on loopback. */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class BootstrapClientRelayTest {

  private static final Duration WAIT = Duration.ofSeconds(15);

  private final List<AutoCloseable> toClose = new ArrayList<>();
  private final Identity alice = Identity.generate();
  private final Identity bob = Identity.generate();
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

  /** Records the relay and punch offers and the punch go frames besides everything else. */
  private static final class Offers implements BootstrapListener {
    final List<RelayFrames.Offer> offers = new CopyOnWriteArrayList<>();
    final List<PunchFrames.Offer> punchOffers = new CopyOnWriteArrayList<>();
    final List<PunchFrames.Go> goes = new CopyOnWriteArrayList<>();

    @Override
    public void onRelayOffer(RelayFrames.Offer offer) {
      offers.add(offer);
    }

    @Override
    public void onPunchOffer(PunchFrames.Offer offer) {
      punchOffers.add(offer);
    }

    @Override
    public void onPunchGo(PunchFrames.Go go) {
      goes.add(go);
    }
  }

  private BootstrapClient client(String nickname, Identity id, List<String> caps, Offers l)
      throws Exception {
    BootstrapClient c =
        BootstrapClient.start(
            BootstrapClientOptions.builder("ws://127.0.0.1:" + server.port(), nickname, 4000)
                .backoff(Duration.ofMillis(50), Duration.ofMillis(400))
                .identity(id)
                .caps(caps)
                .build(),
            l);
    toClose.add(0, c);
    await().atMost(WAIT).until(c::isRegistered);
    return c;
  }

  @Test
  void aRequestGetsOurTokenAndThePeerAnOfferNamingOurProvenId() throws Exception {
    server =
        BootstrapServer.start(
            BootstrapServerConfig.builder()
                .host("127.0.0.1")
                .port(0)
                .batchInterval(Duration.ofMillis(50))
                .build());
    Offers a = new Offers();
    Offers b = new Offers();
    BootstrapClient aliceClient = client("alice", alice, List.of("tls", "ack", "relay"), a);
    client("bob", bob, List.of("tls", "ack", "relay"), b);
    RelayFrames.Ready ready =
        aliceClient.requestRelay("bob", bob.id().value()).get(15, TimeUnit.SECONDS);
    assertThat(ready.peer()).isEqualTo(bob.id().value());
    await().atMost(WAIT).until(() -> !b.offers.isEmpty());
    RelayFrames.Offer offer = b.offers.get(0);
    assertThat(offer.nickname()).isEqualTo("alice");
    assertThat(offer.peer()).isEqualTo(alice.id().value());
    assertThat(offer.token()).isNotEqualTo(ready.token());
  }

  @Test
  void aPunchIsCoordinatedOnlyOnceBothSidesFetchedTheirMappingAndEachGetsTheOthers()
      throws Exception {
    server =
        BootstrapServer.start(
            BootstrapServerConfig.builder()
                .host("127.0.0.1")
                .port(0)
                .batchInterval(Duration.ofMillis(50))
                .build());
    List<String> caps = List.of("tls", "ack", "relay", PunchFrames.CAP);
    Offers a = new Offers();
    Offers b = new Offers();
    BootstrapClient aliceClient = client("alice", alice, caps, a);
    client("bob", bob, caps, b);
    PunchFrames.Ready ready =
        aliceClient.requestPunch("bob", bob.id().value()).get(15, TimeUnit.SECONDS);
    assertThat(ready.peer()).isEqualTo(bob.id().value());
    await().atMost(WAIT).until(() -> !b.punchOffers.isEmpty());
    PunchFrames.Offer offer = b.punchOffers.get(0);
    assertThat(offer.peer()).isEqualTo(alice.id().value());

    URI url = URI.create("ws://127.0.0.1:" + server.port());
    HolePunch.Mapping mine =
        HolePunch.fetchMapping(url, ready.token(), WAIT).get(15, TimeUnit.SECONDS);
    assertThat(mine.external().getPort()).isEqualTo(mine.localPort());
    // bob has not agreed yet (not fetched his): nobody is told to connect
    assertThat(a.goes).isEmpty();
    HolePunch.Mapping his =
        HolePunch.fetchMapping(url, offer.token(), WAIT).get(15, TimeUnit.SECONDS);

    await().atMost(WAIT).until(() -> !a.goes.isEmpty() && !b.goes.isEmpty());
    PunchFrames.Go toAlice = a.goes.get(0);
    PunchFrames.Go toBob = b.goes.get(0);
    assertThat(toAlice.client()).isTrue();
    assertThat(toAlice.token()).isEqualTo(ready.token());
    assertThat(toAlice.address()).isEqualTo("127.0.0.1:" + his.localPort());
    assertThat(toBob.client()).isFalse();
    assertThat(toBob.address()).isEqualTo("127.0.0.1:" + mine.localPort());
    assertThat(toBob.peer()).isEqualTo(alice.id().value());
  }

  @Test
  void aPunchRequestForAPeerWithoutThePunchCapabilityIsRefusedSayingWhy() throws Exception {
    server =
        BootstrapServer.start(
            BootstrapServerConfig.builder()
                .host("127.0.0.1")
                .port(0)
                .batchInterval(Duration.ofMillis(50))
                .build());
    BootstrapClient aliceClient =
        client("alice", alice, List.of("tls", "ack", "relay", PunchFrames.CAP), new Offers());
    Offers b = new Offers();
    client("bob", bob, List.of("tls", "ack", "relay"), b);
    assertThatThrownBy(
            () -> aliceClient.requestPunch("bob", bob.id().value()).get(15, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOfSatisfying(
            BootstrapException.class,
            e -> assertThat(e.getMessage()).contains("does not take part in hole punches"));
    assertThat(b.punchOffers).isEmpty();
  }

  @Test
  void aRefusalFailsTheRequestSayingWhy() throws Exception {
    server =
        BootstrapServer.start(
            BootstrapServerConfig.builder()
                .host("127.0.0.1")
                .port(0)
                .batchInterval(Duration.ofMillis(50))
                .build());
    BootstrapClient aliceClient =
        client("alice", alice, List.of("tls", "ack", "relay"), new Offers());
    client("bob", bob, List.of("tls", "ack"), new Offers());
    assertThatThrownBy(
            () -> aliceClient.requestRelay("bob", bob.id().value()).get(15, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOfSatisfying(
            BootstrapException.class,
            e -> assertThat(e.getMessage()).contains("does not accept relayed sessions"));
  }
}
