package io.parlance.protocol.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.Base64;
import java.util.Optional;

/**
 * Fuzzes the check of the identity claims in announces, goodbyes and registrations (the {@code id},
 * {@code key} and {@code sig} fields, all from the network): any claim is proven only when it
 * carries a real signature by the key, and is otherwise refused with a reason, never an exception.
 */
class SignaturesFuzzTest {

  private static final KeyPair KEYS = keys();
  private static final String KEY =
      Base64.getEncoder().encodeToString(KEYS.getPublic().getEncoded());
  private static final String ID = Fingerprints.of(KEYS.getPublic());

  private static KeyPair keys() {
    try {
      return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] sign(byte[] payload) {
    try {
      Signature signature = Signature.getInstance("Ed25519");
      signature.initSign(KEYS.getPrivate());
      signature.update(payload);
      return signature.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  @FuzzTest
  void anyClaimIsProvenOnlyByARealSignatureAndOtherwiseRefusedWithAReason(FuzzedDataProvider data) {
    boolean realKey = data.consumeBoolean();
    boolean realId = data.consumeBoolean();
    int sigKind = data.consumeInt(0, 2); // 0: genuine, 1: base64 of fuzzed bytes, 2: any text
    String key = realKey ? KEY : data.consumeString(120);
    String id = realId ? ID : data.consumeString(80);
    byte[] fuzzedSig = sigKind == 1 ? data.consumeBytes(80) : new byte[0];
    String anySig = sigKind == 2 ? data.consumeString(120) : "";
    byte[] payload = data.consumeRemainingAsBytes();
    String sig =
        switch (sigKind) {
          case 0 -> Base64.getEncoder().encodeToString(sign(payload));
          case 1 -> Base64.getEncoder().encodeToString(fuzzedSig);
          default -> anySig;
        };

    Optional<String> problem = Signatures.problem(id, key, sig, payload);

    if (realKey && realId && sigKind == 0) {
      assertThat(problem).isEmpty();
    }
    if (problem.isEmpty()) {
      // Ed25519 signatures are deterministic: only the key's own signature proves a claim.
      assertThat(isGenuine(id, key, sig, payload)).as("proven by a real signature").isTrue();
    }
    problem.ifPresent(p -> assertThat(p).isNotBlank().hasSizeLessThan(200));
  }

  private static boolean isGenuine(String id, String key, String sig, byte[] payload) {
    return ID.equals(id)
        && KEY.equals(key)
        && sig.equals(Base64.getEncoder().encodeToString(sign(payload)));
  }
}
