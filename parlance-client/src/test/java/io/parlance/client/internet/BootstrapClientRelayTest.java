package io.parlance.client.internet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.parlance.bootstrap.BootstrapServer;
import io.parlance.bootstrap.BootstrapServerConfig;
import io.parlance.client.security.Identity;
import io.parlance.protocol.bootstrap.RelayFrames;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The connector's side of relay pairing, against a real server on loopback. */
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

  /** Records the relay offers besides everything else. */
  private static final class Offers implements BootstrapListener {
    final List<RelayFrames.Offer> offers = new CopyOnWriteArrayList<>();

    @Override
    public void onRelayOffer(RelayFrames.Offer offer) {
      offers.add(offer);
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
