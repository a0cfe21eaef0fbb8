package io.parlance.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import io.parlance.bootstrap.relay.RelayLimits;
import io.parlance.protocol.bootstrap.ClientFrame;
import io.parlance.protocol.bootstrap.PunchFrames;
import io.parlance.protocol.bootstrap.RelayFrames;
import io.parlance.protocol.bootstrap.ServerFrame;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hole-punch coordination over real sockets: {@code punch_request} → {@code punch_ready} and {@code
 * punch_offer}, each side's {@code GET /punch?token=} answered with the source address the server
 * saw, then {@code punch_go} to both with the other's; and the refusals.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PunchServerTest {

  private final List<AutoCloseable> toClose = new ArrayList<>();
  private BootstrapServer server;

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : toClose) {
      c.close();
    }
    if (server != null) {
      server.stop();
    }
  }

  private void startServer(boolean relay) throws Exception {
    server =
        BootstrapServer.start(
            BootstrapServerConfig.builder()
                .host("127.0.0.1")
                .port(0)
                .batchInterval(Duration.ofMillis(50))
                .registrationRatePerIp(1000, 1000)
                .maxConnectionsPerIp(1000)
                .relay(RelayLimits.DEFAULTS.withEnabled(relay))
                .build());
  }

  private record Peer(String nickname, TestKeys keys, WsTestClient ws) {}

  private Peer keyed(String nickname, List<String> caps) throws Exception {
    TestKeys keys = TestKeys.generate();
    WsTestClient ws = WsTestClient.connect(URI.create("ws://127.0.0.1:" + server.port() + "/"));
    toClose.add(ws);
    String nonce = ws.await(ServerFrame.Challenge.class).nonce();
    ClientFrame.Register unsigned =
        new ClientFrame.Register(nickname, 4242, null, null, keys.id(), keys.key(), caps, null);
    ws.send(keys.signed(unsigned, nonce));
    ws.await(ServerFrame.Registered.class);
    return new Peer(nickname, keys, ws);
  }

  private Peer puncher(String nickname) throws Exception {
    return keyed(nickname, List.of("tls", "ack", RelayFrames.CAP, PunchFrames.CAP));
  }

  /** A GET of the mapping path from a socket bound to {@code local}; returns status line + body. */
  private String get(InetSocketAddress local, String target) throws Exception {
    try (Socket s = new Socket()) {
      s.setReuseAddress(true);
      s.bind(local);
      s.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
      s.setSoTimeout(5000);
      OutputStream out = s.getOutputStream();
      out.write(
          ("GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      String text = new String(in.readNBytes(8192), StandardCharsets.UTF_8);
      return text.lines().findFirst().orElse("")
          + " "
          + text.substring(text.indexOf("\r\n\r\n") + 4);
    }
  }

  private static InetSocketAddress freeLocal() throws Exception {
    try (Socket probe = new Socket()) {
      probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      return (InetSocketAddress) probe.getLocalSocketAddress();
    }
  }

  @Test
  void bothSidesLearnTheirMappingAndGetTheOthersInTheGo() throws Exception {
    startServer(true);
    Peer alice = puncher("alice");
    Peer bob = puncher("bob");
    alice.ws().send(new PunchFrames.Request("bob", bob.keys().id(), "p1"));
    PunchFrames.Ready ready = alice.ws().await(PunchFrames.Ready.class);
    PunchFrames.Offer offer = bob.ws().await(PunchFrames.Offer.class);
    assertThat(ready.id()).isEqualTo("p1");
    assertThat(ready.peer()).isEqualTo(bob.keys().id());
    assertThat(offer.peer()).isEqualTo(alice.keys().id());
    assertThat(offer.nickname()).isEqualTo("alice");

    InetSocketAddress a = freeLocal();
    InetSocketAddress b = freeLocal();
    assertThat(get(a, "/punch?token=" + ready.token()))
        .startsWith("HTTP/1.1 200")
        .endsWith("{\"address\":\"127.0.0.1:" + a.getPort() + "\"}");
    // behind a proxy that mounts the server under a path
    assertThat(get(b, "/parlance/punch?token=" + offer.token()))
        .startsWith("HTTP/1.1 200")
        .endsWith("{\"address\":\"127.0.0.1:" + b.getPort() + "\"}");

    PunchFrames.Go toAlice = alice.ws().await(PunchFrames.Go.class);
    PunchFrames.Go toBob = bob.ws().await(PunchFrames.Go.class);
    assertThat(toAlice)
        .isEqualTo(
            new PunchFrames.Go(
                ready.token(),
                bob.keys().id(),
                "127.0.0.1:" + b.getPort(),
                PunchFrames.ROLE_CLIENT));
    assertThat(toBob)
        .isEqualTo(
            new PunchFrames.Go(
                offer.token(),
                alice.keys().id(),
                "127.0.0.1:" + a.getPort(),
                PunchFrames.ROLE_SERVER));
    // a token is good once
    assertThat(get(freeLocal(), "/punch?token=" + ready.token())).startsWith("HTTP/1.1 404");
  }

  @Test
  void aPeerWithoutThePunchCapabilityOrNotRegisteredIsNeverOfferedAPunch() throws Exception {
    startServer(true);
    Peer alice = puncher("alice");
    Peer carol = keyed("carol", List.of("tls", "ack", RelayFrames.CAP));
    alice.ws().send(new PunchFrames.Request("carol", carol.keys().id(), "p1"));
    ServerFrame.Error e = alice.ws().await(ServerFrame.Error.class);
    assertThat(e.code()).isEqualTo(PunchFrames.REFUSED);
    assertThat(e.id()).isEqualTo("p1");
    assertThat(e.message()).contains("does not take part in hole punches");

    Peer bob = puncher("bob");
    alice.ws().send(new PunchFrames.Request("bob", alice.keys().id(), "p2"));
    ServerFrame.Error wrongId = alice.ws().await(ServerFrame.Error.class);
    assertThat(wrongId.message()).contains("no peer 'bob' with that id");

    // bob, who has the capability, is offered one; a second one right after is refused
    alice.ws().send(new PunchFrames.Request("bob", bob.keys().id(), "p3"));
    assertThat(bob.ws().await(PunchFrames.Offer.class).peer()).isEqualTo(alice.keys().id());
    alice.ws().send(new PunchFrames.Request("bob", bob.keys().id(), "p4"));
    assertThat(alice.ws().await(ServerFrame.Error.class).message()).contains("try again later");
    assertThat(get(freeLocal(), "/punch?token=" + "A".repeat(24))).startsWith("HTTP/1.1 404");
    assertThat(get(freeLocal(), "/punch")).startsWith("HTTP/1.1 404");
    assertThat(get(freeLocal(), "/punch?token=a&token=b")).startsWith("HTTP/1.1 404");
  }

  @Test
  void aServerRunWithoutTheRelayCoordinatesNoPunch() throws Exception {
    startServer(false);
    Peer alice = puncher("alice");
    Peer bob = puncher("bob");
    alice.ws().send(new PunchFrames.Request("bob", bob.keys().id(), "p1"));
    ServerFrame.Error e = alice.ws().await(ServerFrame.Error.class);
    assertThat(e.code()).isEqualTo(PunchFrames.REFUSED);
    assertThat(e.message()).contains("does not coordinate hole punches");
  }
}
