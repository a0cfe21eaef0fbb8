package io.parlance.client.security;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.ObjectReader;
import io.parlance.protocol.Nickname;
import io.parlance.protocol.bootstrap.MailFields;
import io.parlance.protocol.identity.Fingerprints;
import io.parlance.protocol.identity.Signatures;
import io.parlance.protocol.json.WireJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.hpke.HPKE;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;

/**
 * Seals a message to a peer's {@link MailKey} for the bootstrap server's mailbox, and opens what
 * was sealed to ours.
 *
 * <p>The seal is HPKE (RFC 9180) in base mode with DHKEM(X25519, HKDF-SHA256), HKDF-SHA256 and
 * ChaCha20-Poly1305, info {@code parlance-mail-v1} and the recipient's id as associated data; the
 * sealed bytes are the 32-byte encapsulated key followed by the ciphertext. Inside is the sender's
 * signed letter: a JSON object with the sender's nickname, id and key, the recipient's id, the
 * message id, the timestamp and the text, and the sender's Ed25519 signature of {@link
 * #signedPayload}, padded with spaces to a multiple of {@link #PAD} bytes so the size tells little.
 * A recipient believes a letter only if the signature verifies, the key is the sender id's, the
 * recipient id is its own, and the id the server says deposited it is the sender's.
 */
public final class MailSeal {

  /** The HPKE info string and the first line of the signed payload. */
  public static final String TAG = "parlance-mail-v1";

  /** Plaintexts are padded to a multiple of this many bytes. */
  public static final int PAD = 256;

  private static final byte[] INFO = TAG.getBytes(StandardCharsets.UTF_8);
  private static final int ENC_BYTES = 32;
  private static final ObjectReader READER = WireJson.mapper().readerFor(Inner.class);

  private MailSeal() {}

  static HPKE hpke() {
    return new HPKE(
        HPKE.mode_base, HPKE.kem_X25519_SHA256, HPKE.kdf_HKDF_SHA256, HPKE.aead_CHACHA20_POLY1305);
  }

  /**
   * A letter as the recipient opened and checked it.
   *
   * @param fromId the sender's id
   * @param fromKey the sender's Ed25519 key, base64 of its X.509 encoding
   * @param from the sender's nickname
   * @param toId the recipient's id (ours)
   * @param msg the message id
   * @param timestamp the sender's clock, Unix seconds
   * @param text the message
   */
  public record Letter(
      String fromId,
      String fromKey,
      String from,
      String toId,
      String msg,
      long timestamp,
      String text) {}

  /** A sealed message that cannot be opened or believed; says why. */
  public static final class SealException extends Exception {
    private static final long serialVersionUID = 1L;

    SealException(String message) {
      super(message);
    }
  }

  @JsonPropertyOrder({"from", "from_id", "from_key", "to_id", "msg", "ts", "text", "sig"})
  record Inner(
      @JsonProperty(value = "from", required = true) String from,
      @JsonProperty(value = "from_id", required = true) String fromId,
      @JsonProperty(value = "from_key", required = true) String fromKey,
      @JsonProperty(value = "to_id", required = true) String toId,
      @JsonProperty(value = "msg", required = true) String msg,
      @JsonProperty(value = "ts", required = true) long ts,
      @JsonProperty(value = "text", required = true) String text,
      @JsonProperty(value = "sig", required = true) String sig) {
    @JsonCreator
    Inner {}
  }

  /**
   * Returns the bytes the sender signs: the tag, the sender's id, the recipient's id, the message
   * id, the timestamp and the sender's nickname one per line, then a line break and the text.
   *
   * @return the payload
   */
  static byte[] signedPayload(
      String fromId, String toId, String msg, long timestamp, String from, String text) {
    return (String.join("\n", TAG, fromId, toId, msg, Long.toString(timestamp), from) + "\n" + text)
        .getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Seals a message to a recipient.
   *
   * @param sender our identity
   * @param from our nickname
   * @param toId the recipient's id
   * @param toMailKey the recipient's mail key (base64 of 32 bytes), its binding checked already
   * @param msg the message id
   * @param timestamp the send time, Unix seconds
   * @param text the message
   * @return the sealed bytes
   * @throws IllegalArgumentException if the mail key is not an X25519 key
   */
  public static byte[] seal(
      Identity sender,
      String from,
      String toId,
      String toMailKey,
      String msg,
      long timestamp,
      String text) {
    Objects.requireNonNull(sender, "sender");
    String fromId = sender.id().value();
    String sig =
        Base64.getEncoder()
            .encodeToString(sender.sign(signedPayload(fromId, toId, msg, timestamp, from, text)));
    Inner inner =
        new Inner(from, fromId, sender.encodedPublicKey(), toId, msg, timestamp, text, sig);
    return sealInner(inner, toMailKey);
  }

  /** Pads and seals a letter as it is, signed or not (tests forge with it). */
  static byte[] sealInner(Inner inner, String toMailKey) {
    String toId = inner.toId();
    byte[] json = WireJson.toBytes(inner);
    byte[] plain = Arrays.copyOf(json, (json.length / PAD + 1) * PAD);
    Arrays.fill(plain, json.length, plain.length, (byte) ' ');
    HPKE hpke = hpke();
    AsymmetricKeyParameter recipient;
    try {
      recipient = hpke.deserializePublicKey(Base64.getDecoder().decode(toMailKey));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not an X25519 mail key", e);
    }
    try {
      byte[][] out =
          hpke.seal(
              recipient, INFO, toId.getBytes(StandardCharsets.UTF_8), plain, null, null, null);
      byte[] ct = out[0];
      byte[] enc = out[1];
      byte[] sealed = Arrays.copyOf(enc, enc.length + ct.length);
      System.arraycopy(ct, 0, sealed, enc.length, ct.length);
      return sealed;
    } catch (InvalidCipherTextException e) {
      throw new IllegalStateException("HPKE seal failed", e);
    }
  }

  /**
   * Opens a message sealed to our mail key and checks it.
   *
   * @param recipient our identity
   * @param sealed the sealed bytes
   * @param depositor the id the server says deposited it
   * @return the letter
   * @throws SealException if it does not open, is malformed, is for another peer, or its signature,
   *     sender key or depositor do not match
   */
  public static Letter open(Identity recipient, byte[] sealed, String depositor)
      throws SealException {
    String me = recipient.id().value();
    if (sealed.length <= ENC_BYTES || sealed.length > MailFields.MAX_SEALED_BYTES) {
      throw new SealException("a sealed message of " + sealed.length + " bytes is malformed");
    }
    byte[] enc = Arrays.copyOf(sealed, ENC_BYTES);
    byte[] ct = Arrays.copyOfRange(sealed, ENC_BYTES, sealed.length);
    byte[] plain;
    try {
      plain =
          hpke()
              .open(
                  enc,
                  recipient.mailKey().pair(),
                  INFO,
                  me.getBytes(StandardCharsets.UTF_8),
                  ct,
                  null,
                  null,
                  null);
    } catch (InvalidCipherTextException | RuntimeException e) {
      throw new SealException("it does not open with our mail key (tampered, or for another peer)");
    }
    Inner inner;
    try {
      inner = READER.readValue(plain);
    } catch (IOException | RuntimeException e) {
      throw new SealException("its contents are malformed");
    }
    if (!me.equals(inner.toId())) {
      throw new SealException("it is addressed to another peer");
    }
    if (!Nickname.isValid(inner.from())) {
      throw new SealException("its sender's nickname is invalid");
    }
    Optional<String> problem =
        Signatures.problem(
            inner.fromId(),
            inner.fromKey(),
            inner.sig(),
            signedPayload(
                inner.fromId(), inner.toId(), inner.msg(), inner.ts(), inner.from(), inner.text()));
    if (problem.isPresent() || !Fingerprints.isCanonical(inner.fromId())) {
      throw new SealException("its sender's signature does not verify");
    }
    if (!inner.fromId().equals(depositor)) {
      throw new SealException("it was deposited by another peer than its signer");
    }
    try {
      MailFields.requireMsgText(inner.msg());
    } catch (RuntimeException e) {
      throw new SealException("its message id is malformed");
    }
    return new Letter(
        inner.fromId(),
        inner.fromKey(),
        inner.from(),
        inner.toId(),
        inner.msg(),
        inner.ts(),
        inner.text());
  }
}
