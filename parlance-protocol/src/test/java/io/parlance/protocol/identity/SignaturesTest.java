package io.parlance.protocol.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SignaturesTest {

  private static final byte[] PAYLOAD = "payload".getBytes(StandardCharsets.UTF_8);

  private final KeyPair alice = newKeyPair("Ed25519");
  private final KeyPair mallory = newKeyPair("Ed25519");

  private static KeyPair newKeyPair(String algorithm) {
    try {
      return KeyPairGenerator.getInstance(algorithm).generateKeyPair();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static String sign(KeyPair keys, byte[] data) throws Exception {
    Signature signer = Signature.getInstance("Ed25519");
    signer.initSign(keys.getPrivate());
    signer.update(data);
    return Base64.getEncoder().encodeToString(signer.sign());
  }

  private static String key(KeyPair keys) {
    return Base64.getEncoder().encodeToString(keys.getPublic().getEncoded());
  }

  private static String id(KeyPair keys) {
    return Fingerprints.of(keys.getPublic());
  }

  @Test
  void aSignatureByTheKeyWhoseFingerprintIsTheIdProvesTheIdentity() throws Exception {
    assertThat(Signatures.problem(id(alice), key(alice), sign(alice, PAYLOAD), PAYLOAD)).isEmpty();
  }

  @Test
  void someoneElsesIdIsNotProvenByAnotherKey() throws Exception {
    // Mallory claims Alice's id with his own key and a valid signature of his.
    assertThat(Signatures.problem(id(alice), key(mallory), sign(mallory, PAYLOAD), PAYLOAD))
        .contains("'id' is not the fingerprint of 'key'");
    // Mallory claims Alice's id and key but can only sign with his own key.
    assertThat(Signatures.problem(id(alice), key(alice), sign(mallory, PAYLOAD), PAYLOAD))
        .contains("'sig' is not a signature of this payload by 'key'");
  }

  @Test
  void aSignatureOfAnotherPayloadDoesNotVerify() throws Exception {
    byte[] other = "other".getBytes(StandardCharsets.UTF_8);
    assertThat(Signatures.problem(id(alice), key(alice), sign(alice, other), PAYLOAD))
        .contains("'sig' is not a signature of this payload by 'key'");
  }

  @Test
  void missingOrMalformedPartsAreNamed() throws Exception {
    String sig = sign(alice, PAYLOAD);
    assertThat(Signatures.problem(null, key(alice), sig, PAYLOAD)).get().asString().contains("all");
    assertThat(Signatures.problem(id(alice), null, sig, PAYLOAD)).isPresent();
    assertThat(Signatures.problem(id(alice), key(alice), null, PAYLOAD)).isPresent();
    assertThat(Signatures.problem(id(alice), "not base64!", sig, PAYLOAD))
        .contains("'key' is not a base64 Ed25519 public key");
    KeyPair rsa = newKeyPair("RSA");
    assertThat(Signatures.problem(Fingerprints.of(rsa.getPublic()), key(rsa), sig, PAYLOAD))
        .contains("'key' is not a base64 Ed25519 public key");
    assertThat(Signatures.problem(id(alice), key(alice), "%%%", PAYLOAD))
        .contains("'sig' is not base64");
    assertThat(Signatures.problem(id(alice), key(alice), "AAAA", PAYLOAD))
        .contains("'sig' is not a signature of this payload by 'key'");
  }

  @Test
  void decodesOnlyEd25519Keys() {
    assertThat(Signatures.decodePublicKey(key(alice))).isEqualTo(alice.getPublic());
    assertThatThrownBy(() -> Signatures.decodePublicKey(key(newKeyPair("RSA"))))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Signatures.decodePublicKey("AAAA"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /** The fast verification must give the JDK's answer: on good signatures and on tampered ones. */
  @Test
  void verificationAgreesWithTheJdkOnGoodAndTamperedSignatures() throws Exception {
    Random random = new Random(8);
    for (int i = 0; i < 300; i++) {
      KeyPair keys = i % 10 == 0 ? newKeyPair("Ed25519") : alice;
      byte[] data = new byte[random.nextInt(200)];
      random.nextBytes(data);
      byte[] sig = Base64.getDecoder().decode(sign(keys, data));
      assertThat(Signatures.verify(keys.getPublic(), data, sig)).isTrue();

      byte[] badSig = sig.clone();
      badSig[random.nextInt(badSig.length)] ^= (byte) (1 << random.nextInt(8));
      byte[] badData = data.length == 0 ? new byte[] {1} : data.clone();
      if (data.length > 0) {
        badData[random.nextInt(badData.length)] ^= (byte) (1 << random.nextInt(8));
      }
      assertThat(Signatures.verify(keys.getPublic(), data, badSig))
          .isEqualTo(jdkVerify(keys, data, badSig))
          .isFalse();
      assertThat(Signatures.verify(keys.getPublic(), badData, sig))
          .isEqualTo(jdkVerify(keys, badData, sig))
          .isFalse();
      assertThat(Signatures.verify(mallory.getPublic(), data, sig)).isFalse();
    }
    assertThat(Signatures.verify(alice.getPublic(), PAYLOAD, new byte[63])).isFalse();
    assertThat(Signatures.verify(alice.getPublic(), PAYLOAD, new byte[65])).isFalse();
    assertThat(Signatures.verify(alice.getPublic(), PAYLOAD, null)).isFalse();
  }

  private static boolean jdkVerify(KeyPair keys, byte[] data, byte[] sig) throws Exception {
    Signature verifier = Signature.getInstance("Ed25519");
    verifier.initVerify(keys.getPublic());
    verifier.update(data);
    try {
      return verifier.verify(sig);
    } catch (java.security.SignatureException e) {
      return false;
    }
  }
}
