package io.parlance.client.security;

import io.parlance.protocol.bootstrap.MailFields;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;

/**
 * A peer's mail key: the X25519 key pair that sealed mail is encrypted to ({@link MailSeal}), and
 * its binding to the identity, the identity key's signature of {@link MailFields#mailKeyPayload}.
 * Others check the binding before they seal to the key, so a server cannot slip in a key of its
 * own.
 */
public final class MailKey {

  private static final byte[] LABEL = "parlance-mail-key-v1".getBytes(StandardCharsets.UTF_8);

  private final AsymmetricCipherKeyPair pair;
  private final String publicKey;
  private final String binding;

  private MailKey(AsymmetricCipherKeyPair pair, String publicKey, String binding) {
    this.pair = pair;
    this.publicKey = publicKey;
    this.binding = binding;
  }

  /**
   * Derives the mail key of an identity from its private key: HKDF-SHA256 of the seed with a label
   * of its own gives the input of HPKE's DeriveKeyPair (RFC 9180, 7.1.3).
   */
  static MailKey derive(Identity identity, byte[] seed) {
    HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
    hkdf.init(new HKDFParameters(seed, null, LABEL));
    byte[] ikm = new byte[32];
    hkdf.generateBytes(ikm, 0, ikm.length);
    AsymmetricCipherKeyPair pair = MailSeal.hpke().deriveKeyPair(ikm);
    String pub =
        Base64.getEncoder().encodeToString(MailSeal.hpke().serializePublicKey(pair.getPublic()));
    String binding =
        Base64.getEncoder()
            .encodeToString(identity.sign(MailFields.mailKeyPayload(identity.id().value(), pub)));
    return new MailKey(pair, pub, binding);
  }

  /**
   * Returns the public key as the mailbox frames carry it.
   *
   * @return base64 of the raw 32-byte X25519 public key
   */
  public String publicKey() {
    return publicKey;
  }

  /**
   * Returns the binding: the identity key's signature of {@link MailFields#mailKeyPayload}.
   *
   * @return base64 of the Ed25519 signature
   */
  public String binding() {
    return binding;
  }

  AsymmetricCipherKeyPair pair() {
    return pair;
  }

  @Override
  public String toString() {
    return "MailKey[" + Objects.hashCode(publicKey) + "]";
  }
}
