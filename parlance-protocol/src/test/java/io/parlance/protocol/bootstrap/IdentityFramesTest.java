package io.parlance.protocol.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.parlance.protocol.ProtocolError;
import io.parlance.protocol.ProtocolException;
import io.parlance.protocol.identity.Fingerprints;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Signature;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The identity parts of the bootstrap protocol: the challenge, signed registrations, peers. */
class IdentityFramesTest {

  private static final String NONCE = Base64.getEncoder().encodeToString(new byte[32]);
  private static final String OTHER_NONCE =
      Base64.getEncoder().encodeToString("another connection's nonce.....".getBytes());

  private final EmbeddedChannel server =
      new EmbeddedChannel(BootstrapFrameDecoder.CLIENT_FRAMES, BootstrapFrameEncoder.INSTANCE);
  private final EmbeddedChannel client =
      new EmbeddedChannel(BootstrapFrameDecoder.SERVER_FRAMES, BootstrapFrameEncoder.INSTANCE);
  private final KeyPair alice = newKeys();

  @AfterEach
  void releaseEverything() {
    server.finishAndReleaseAll();
    client.finishAndReleaseAll();
  }

  private static KeyPair newKeys() {
    try {
      return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static String key(KeyPair keys) {
    return Base64.getEncoder().encodeToString(keys.getPublic().getEncoded());
  }

  private static String sign(KeyPair keys, byte[] payload) {
    try {
      Signature signer = Signature.getInstance("Ed25519");
      signer.initSign(keys.getPrivate());
      signer.update(payload);
      return Base64.getEncoder().encodeToString(signer.sign());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private ClientFrame.Register signedRegistration(KeyPair keys, String nonce) {
    ClientFrame.Register unsigned =
        new ClientFrame.Register(
            "alice",
            36091,
            List.of("10.0.0.2:36091"),
            null,
            Fingerprints.of(keys.getPublic()),
            key(keys),
            List.of("tls", "ack"),
            null);
    return unsigned.withSig(sign(keys, unsigned.signedPayload(nonce)));
  }

  /** The peer as the server describes it to others, from a registration on a connection. */
  private static PeerInfo asTheServerDescribesIt(ClientFrame.Register r, String nonce) {
    return new PeerInfo(
        r.nickname(),
        "203.0.113.7:" + r.tcpPort(),
        r.addresses(),
        r.id(),
        r.key(),
        r.caps(),
        nonce,
        r.sig());
  }

  @Test
  void roundTripsTheChallengeASignedRegistrationAndAPeerWithAnIdentity() {
    ClientFrame.Register register = signedRegistration(alice, NONCE);
    client.writeOutbound(register);
    TextWebSocketFrame registerText = client.readOutbound();
    server.writeInbound(registerText);
    assertThat((ClientFrame) server.readInbound()).isEqualTo(register);

    ServerFrame.Challenge challenge = ServerFrame.Challenge.random(new SecureRandom());
    PeerInfo peer = asTheServerDescribesIt(register, NONCE);
    for (ServerFrame frame :
        List.of(
            challenge,
            new ServerFrame.PeersChanged(List.of(peer), List.of()),
            new ServerFrame.LookupResult("alice", true, peer, "1"))) {
      server.writeOutbound(frame);
      TextWebSocketFrame text = server.readOutbound();
      client.writeInbound(text);
      assertThat((ServerFrame) client.readInbound()).isEqualTo(frame);
    }
  }

  @Test
  void aChallengeHoldsThirtyTwoFreshRandomBytes() {
    SecureRandom random = new SecureRandom();
    ServerFrame.Challenge a = ServerFrame.Challenge.random(random);
    ServerFrame.Challenge b = ServerFrame.Challenge.random(random);
    assertThat(Base64.getDecoder().decode(a.nonce())).hasSize(BootstrapProtocol.NONCE_BYTES);
    assertThat(a.nonce()).isNotEqualTo(b.nonce());
    assertThat(encode(server, a))
        .isEqualTo("{\"type\":\"challenge\",\"nonce\":\"" + a.nonce() + "\"}");
  }

  @Test
  void writesTheIdentityFieldsAfterThePlainOnes() {
    ClientFrame.Register register =
        new ClientFrame.Register(
            "alice", 1, null, null, Fingerprints.of(new byte[0]), "a2V5", List.of("tls"), "c2ln");
    assertThat(encode(client, register))
        .isEqualTo(
            "{\"type\":\"register\",\"nickname\":\"alice\",\"tcp_port\":1,"
                + "\"id\":\"4OYM-IQUY-7QOB-JGX3-6TEJ-S35Z-EQT2-4QPE-MSNZ-GTFE-SWMR-W6CS-XBKQ\","
                + "\"key\":\"a2V5\",\"caps\":[\"tls\"],\"sig\":\"c2ln\"}");
    PeerInfo peer =
        new PeerInfo(
            "alice",
            "192.0.2.1:1",
            null,
            register.id(),
            register.key(),
            register.caps(),
            NONCE,
            register.sig());
    assertThat(encode(server, new ServerFrame.PeersChanged(List.of(peer), List.of())))
        .isEqualTo(
            "{\"type\":\"peers_changed\",\"joined\":[{\"nickname\":\"alice\","
                + "\"address\":\"192.0.2.1:1\","
                + "\"id\":\"4OYM-IQUY-7QOB-JGX3-6TEJ-S35Z-EQT2-4QPE-MSNZ-GTFE-SWMR-W6CS-XBKQ\","
                + "\"key\":\"a2V5\",\"caps\":[\"tls\"],"
                + "\"nonce\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\",\"sig\":\"c2ln\"}],"
                + "\"left\":[]}");
  }

  @Test
  void theSignedPayloadIsATagTheNonceAndEveryRegisteredFieldOnePerLine() {
    String id = Fingerprints.of(new byte[0]);
    ClientFrame.Register register =
        new ClientFrame.Register(
            "alice",
            36091,
            List.of("10.0.0.2:1", "10.0.0.3:2"),
            false,
            id,
            "S0VZ",
            List.of("tls", "ack"),
            "c2ln");
    assertThat(new String(register.signedPayload("NONCE"), StandardCharsets.UTF_8))
        .isEqualTo(
            "parlance-register-v1\nNONCE\nalice\n36091\n10.0.0.2:1,10.0.0.3:2\n"
                + id
                + "\nS0VZ\ntls,ack");
    assertThat(register.withSig("b3RoZXI=").signedPayload("NONCE"))
        .isEqualTo(register.signedPayload("NONCE"));
    assertThat(
            new String(
                new ClientFrame.Register("bob", 1, null).signedPayload("N"),
                StandardCharsets.UTF_8))
        .isEqualTo("parlance-register-v1\nN\nbob\n1\n\n\n\n");
  }

  @Test
  void aSignedRegistrationProvesItsIdentityOnlyWithTheNonceItSigned() {
    ClientFrame.Register register = signedRegistration(alice, NONCE);
    assertThat(register.claimsIdentity()).isTrue();
    assertThat(register.identityProblem(NONCE)).isEmpty();
    assertThat(register.identityProblem(OTHER_NONCE)).get().asString().contains("'sig'");
    assertThat(register.identityProblem(null)).get().asString().contains("no challenge");
    assertThat(new ClientFrame.Register("bob", 1, null).claimsIdentity()).isFalse();
  }

  @Test
  void aRegistrationCarryingSomeoneElsesIdIsNotProven() {
    KeyPair mallory = newKeys();
    ClientFrame.Register own = signedRegistration(mallory, NONCE);
    // Alice's id with Mallory's key, signed by Mallory.
    ClientFrame.Register stolenId =
        new ClientFrame.Register(
            own.nickname(),
            own.tcpPort(),
            own.addresses(),
            null,
            Fingerprints.of(alice.getPublic()),
            own.key(),
            own.caps(),
            null);
    stolenId = stolenId.withSig(sign(mallory, stolenId.signedPayload(NONCE)));
    assertThat(stolenId.identityProblem(NONCE)).contains("'id' is not the fingerprint of 'key'");
    // Alice's id and key, signed by Mallory.
    ClientFrame.Register stolenKey = signedRegistration(alice, NONCE);
    stolenKey = stolenKey.withSig(sign(mallory, stolenKey.signedPayload(NONCE)));
    assertThat(stolenKey.identityProblem(NONCE))
        .contains("'sig' is not a signature of this payload by 'key'");
  }

  @Test
  void anyPeerCanCheckAnIdentityTheServerPassesOn() {
    ClientFrame.Register register = signedRegistration(alice, NONCE);
    PeerInfo peer = asTheServerDescribesIt(register, NONCE);
    assertThat(peer.signedPayload()).isEqualTo(register.signedPayload(NONCE));
    assertThat(peer.identityProblem()).isEmpty();

    // A server that changes what the peer registered, or leaves out the nonce, is caught.
    assertThat(
            new PeerInfo(
                    peer.nickname(),
                    "203.0.113.7:1",
                    peer.addresses(),
                    peer.id(),
                    peer.key(),
                    peer.caps(),
                    peer.nonce(),
                    peer.sig())
                .identityProblem())
        .isPresent();
    assertThat(
            new PeerInfo(
                    peer.nickname(),
                    peer.address(),
                    peer.addresses(),
                    peer.id(),
                    peer.key(),
                    List.of("tls"),
                    peer.nonce(),
                    peer.sig())
                .identityProblem())
        .isPresent();
    assertThat(
            new PeerInfo(
                    peer.nickname(),
                    peer.address(),
                    peer.addresses(),
                    peer.id(),
                    peer.key(),
                    peer.caps(),
                    null,
                    peer.sig())
                .identityProblem())
        .get()
        .asString()
        .contains("'nonce'");
    assertThat(new PeerInfo("bob", "192.0.2.1:1", null).claimsIdentity()).isFalse();
  }

  static Stream<Arguments> badServerFrames() {
    String peer = "{\"type\":\"peers\",\"peers\":[{\"nickname\":\"b\",\"address\":\"192.0.2.1:1\",";
    return Stream.of(
        Arguments.of("{\"type\":\"challenge\"}", ProtocolError.MISSING_FIELD, "'nonce'"),
        Arguments.of(
            "{\"type\":\"challenge\",\"nonce\":null}", ProtocolError.MISSING_FIELD, "'nonce'"),
        Arguments.of(
            "{\"type\":\"challenge\",\"nonce\":7}", ProtocolError.WRONG_FIELD_TYPE, "'nonce'"),
        Arguments.of(
            "{\"type\":\"challenge\",\"nonce\":\"not base64!\"}",
            ProtocolError.WRONG_FIELD_TYPE,
            "'nonce' is not base64"),
        Arguments.of(
            "{\"type\":\"challenge\",\"nonce\":\"AAAA\"}",
            ProtocolError.WRONG_FIELD_TYPE,
            "base64 of 32 bytes"),
        Arguments.of(
            "{\"type\":\"challenge\",\"nonce\":\"" + "A".repeat(400) + "\"}",
            ProtocolError.LIMIT_EXCEEDED,
            "'nonce' is longer than 256"),
        Arguments.of(
            peer + "\"nonce\":\"AAAA\"}]}", ProtocolError.WRONG_FIELD_TYPE, "base64 of 32 bytes"),
        Arguments.of(peer + "\"key\":\"%%%\"}]}", ProtocolError.WRONG_FIELD_TYPE, "'key'"),
        Arguments.of(peer + "\"sig\":[1]}]}", ProtocolError.WRONG_FIELD_TYPE, "sig"),
        Arguments.of(peer + "\"id\":\"ABCD\"}]}", ProtocolError.WRONG_FIELD_TYPE, "'id'"));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("badServerFrames")
  void rejectsMalformedIdentityFieldsFromTheServer(
      String json, ProtocolError kind, String message) {
    assertRejected(() -> client.writeInbound(new TextWebSocketFrame(json)), kind, message);
  }

  static Stream<Arguments> badRegistrations() {
    String register = "{\"type\":\"register\",\"nickname\":\"a\",\"tcp_port\":1,";
    return Stream.of(
        Arguments.of(
            register + "\"key\":\"" + "A".repeat(300) + "\"}",
            ProtocolError.LIMIT_EXCEEDED,
            "'key' is longer than 256"),
        Arguments.of(
            register + "\"key\":\"not base64!\"}",
            ProtocolError.WRONG_FIELD_TYPE,
            "'key' is not base64"),
        Arguments.of(register + "\"key\":42}", ProtocolError.WRONG_FIELD_TYPE, "'key'"),
        Arguments.of(
            register + "\"sig\":\"" + "A".repeat(300) + "\"}",
            ProtocolError.LIMIT_EXCEEDED,
            "'sig' is longer than 256"),
        Arguments.of(
            register + "\"sig\":\"AB\\nCD\"}",
            ProtocolError.WRONG_FIELD_TYPE,
            "'sig' is not base64"),
        Arguments.of(
            register
                + "\"id\":\"4oym-iquy-7qob-jgx3-6tej-s35z-eqt2-4qpe-msnz-gtfe-swmr-w6cs-xbkq\"}",
            ProtocolError.WRONG_FIELD_TYPE,
            "'id' is not a peer id"),
        Arguments.of(
            register + "\"id\":\"" + "A".repeat(300) + "\"}",
            ProtocolError.LIMIT_EXCEEDED,
            "'id' is longer than 256"),
        Arguments.of(
            register + "\"caps\":[\"tls,ack\"]}", ProtocolError.WRONG_FIELD_TYPE, "without commas"),
        Arguments.of(
            register + "\"caps\":[\"t\\nls\"]}", ProtocolError.WRONG_FIELD_TYPE, "without commas"),
        Arguments.of(register + "\"caps\":[\"\"]}", ProtocolError.WRONG_FIELD_TYPE, "'caps'"),
        Arguments.of(
            register + "\"caps\":[" + "\"c\",".repeat(16) + "\"c\"]}",
            ProtocolError.LIMIT_EXCEEDED,
            "more than 16"),
        Arguments.of(register + "\"caps\":\"tls\"}", ProtocolError.WRONG_FIELD_TYPE, "caps"));
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @MethodSource("badRegistrations")
  void rejectsMalformedIdentityFieldsInARegistration(
      String json, ProtocolError kind, String message) {
    assertRejected(() -> server.writeInbound(new TextWebSocketFrame(json)), kind, message);
  }

  private static String encode(EmbeddedChannel ch, BootstrapFrame frame) {
    ch.writeOutbound(frame);
    TextWebSocketFrame text = ch.readOutbound();
    try {
      return text.text();
    } finally {
      text.release();
    }
  }

  private static void assertRejected(Runnable action, ProtocolError kind, String messagePart) {
    assertThatThrownBy(action::run)
        .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.kind()).isEqualTo(kind))
        .hasMessageContaining(messagePart);
  }
}
