package io.parlance.bootstrap;

import io.parlance.protocol.bootstrap.ClientFrame;
import io.parlance.protocol.identity.Fingerprints;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.Base64;
import java.util.List;

/** An Ed25519 identity for tests, made with the JDK, that signs registrations as a peer does. */
final class TestKeys {

  private final KeyPair pair;

  private TestKeys(KeyPair pair) {
    this.pair = pair;
  }

  static TestKeys generate() {
    return generate("Ed25519");
  }

  static TestKeys generate(String algorithm) {
    try {
      return new TestKeys(KeyPairGenerator.getInstance(algorithm).generateKeyPair());
    } catch (GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  String id() {
    return Fingerprints.of(pair.getPublic());
  }

  String key() {
    return Base64.getEncoder().encodeToString(pair.getPublic().getEncoded());
  }

  String sign(byte[] payload) {
    try {
      Signature signer = Signature.getInstance("Ed25519");
      signer.initSign(pair.getPrivate());
      signer.update(payload);
      return Base64.getEncoder().encodeToString(signer.sign());
    } catch (GeneralSecurityException e) {
      throw new AssertionError(e);
    }
  }

  /** A registration with this identity, signed for a challenge nonce, as our peers send it. */
  ClientFrame.Register register(String nickname, int port, String nonce) {
    return signed(unsigned(nickname, port, id(), key()), nonce);
  }

  /** A registration claiming an id and key, not yet signed. */
  static ClientFrame.Register unsigned(String nickname, int port, String id, String key) {
    return new ClientFrame.Register(
        nickname, port, null, null, id, key, List.of("tls", "ack"), null);
  }

  /** Signs a registration for a nonce with this key, whatever it claims. */
  ClientFrame.Register signed(ClientFrame.Register register, String nonce) {
    return register.withSig(sign(register.signedPayload(nonce)));
  }
}
