package io.parlance.protocol.bootstrap;

import io.parlance.protocol.ProtocolError;
import io.parlance.protocol.ProtocolException;
import io.parlance.protocol.identity.Fingerprints;
import io.parlance.protocol.identity.Signatures;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * The mailbox's fields and signed payloads: the bounds of every mail field, the binding of a mail
 * key to an identity, and the bytes of a delivery receipt. Client and server check them alike.
 */
public final class MailFields {

  /** The first line of a mail key's binding, naming the format. */
  public static final String MAIL_KEY_TAG = "parlance-mail-key-v1";

  /** The first line of a receipt, naming the format. */
  public static final String RECEIPT_TAG = "parlance-mail-receipt-v1";

  /** The capability a peer that accepts mail registers. */
  public static final String CAPABILITY = "mail";

  /** Bytes of an X25519 public key. */
  public static final int MAIL_KEY_BYTES = 32;

  /** The longest {@code sealed} field, in base64 characters: it must fit a 16 KiB client frame. */
  public static final int MAX_SEALED_CHARS = 13_980;

  /** The largest sealed message in bytes that {@link #MAX_SEALED_CHARS} holds. */
  public static final int MAX_SEALED_BYTES = MAX_SEALED_CHARS / 4 * 3;

  /** The longest message id. */
  public static final int MAX_MSG_CHARS = 64;

  /** The most receipts (or notices done) in one {@code mail_ack}. */
  public static final int MAX_ACKS = 50;

  /** The most items or notices in one {@code mail} answer. */
  public static final int MAX_ITEMS = 500;

  private MailFields() {}

  /**
   * Returns the bytes an identity signs to bind a mail key to itself.
   *
   * <pre>
   * parlance-mail-key-v1
   * &lt;id&gt;
   * &lt;mail_key&gt;
   * </pre>
   *
   * @param id the identity's fingerprint
   * @param mailKey base64 of the raw X25519 public key
   * @return the payload
   */
  public static byte[] mailKeyPayload(String id, String mailKey) {
    return String.join("\n", MAIL_KEY_TAG, id, mailKey).getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Returns the bytes a recipient signs to say it stored a message from its mailbox.
   *
   * <pre>
   * parlance-mail-receipt-v1
   * &lt;sender id&gt;
   * &lt;recipient id&gt;
   * &lt;message id&gt;
   * </pre>
   *
   * @param from the sender's id
   * @param to the recipient's id
   * @param msg the message id
   * @return the payload
   */
  public static byte[] receiptPayload(String from, String to, String msg) {
    return String.join("\n", RECEIPT_TAG, from, to, msg).getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Tells what keeps a mail key from being bound to an identity.
   *
   * @param id the identity's fingerprint
   * @param key its Ed25519 public key, base64 of the X.509 encoding
   * @param mailKey the mail key, base64 of 32 bytes
   * @param mailSig the key's signature of {@link #mailKeyPayload}
   * @return what is wrong, in words, or empty if the binding holds
   */
  public static Optional<String> mailKeyProblem(
      String id, String key, String mailKey, String mailSig) {
    return Signatures.problem(id, key, mailSig, mailKeyPayload(id, mailKey));
  }

  /**
   * Checks a message id: 1–64 visible ASCII characters.
   *
   * @param msg the id
   * @return the id
   * @throws io.parlance.protocol.ProtocolException if it is malformed
   */
  public static String requireMsgText(String msg) {
    return requireMsg("msg", msg);
  }

  static String requirePeerId(String field, String id) {
    if (id == null) {
      throw new ProtocolException(ProtocolError.MISSING_FIELD, "field '" + field + "' is null");
    }
    if (id.length() > Fingerprints.CANONICAL_CHARS || !Fingerprints.isCanonical(id)) {
      throw new ProtocolException(
          ProtocolError.WRONG_FIELD_TYPE, "field '" + field + "' is not a peer id");
    }
    return id;
  }

  static String requireMsg(String field, String msg) {
    if (msg == null) {
      throw new ProtocolException(ProtocolError.MISSING_FIELD, "field '" + field + "' is null");
    }
    if (msg.isEmpty() || msg.length() > MAX_MSG_CHARS) {
      throw new ProtocolException(
          ProtocolError.WRONG_FIELD_TYPE,
          "field '" + field + "' must be 1-" + MAX_MSG_CHARS + " characters");
    }
    for (int i = 0; i < msg.length(); i++) {
      char c = msg.charAt(i);
      if (c < 0x21 || c > 0x7e) {
        throw new ProtocolException(
            ProtocolError.WRONG_FIELD_TYPE, "field '" + field + "' must be visible ASCII");
      }
    }
    return msg;
  }

  static byte[] requireBase64(String field, String value, int maxChars, int exactBytes) {
    if (value == null) {
      throw new ProtocolException(ProtocolError.MISSING_FIELD, "field '" + field + "' is null");
    }
    if (value.length() > maxChars) {
      throw new ProtocolException(
          ProtocolError.LIMIT_EXCEEDED,
          "field '" + field + "' is longer than " + maxChars + " characters");
    }
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(value);
    } catch (IllegalArgumentException e) {
      throw new ProtocolException(
          ProtocolError.WRONG_FIELD_TYPE, "field '" + field + "' is not base64", e);
    }
    if (exactBytes > 0 && bytes.length != exactBytes) {
      throw new ProtocolException(
          ProtocolError.WRONG_FIELD_TYPE,
          "field '" + field + "' must be base64 of " + exactBytes + " bytes");
    }
    if (bytes.length == 0) {
      throw new ProtocolException(ProtocolError.WRONG_FIELD_TYPE, "field '" + field + "' is empty");
    }
    return bytes;
  }

  static String requireMailKey(String field, String mailKey) {
    requireBase64(field, mailKey, 64, MAIL_KEY_BYTES);
    return mailKey;
  }

  static String requireSig(String field, String sig) {
    requireBase64(field, sig, 128, Signatures.SIGNATURE_BYTES);
    return sig;
  }

  static String requireKey(String field, String key) {
    if (key == null) {
      throw new ProtocolException(ProtocolError.MISSING_FIELD, "field '" + field + "' is null");
    }
    IdentityFields.requireValid(null, key, null);
    return key;
  }

  static <T> List<T> requireList(String field, List<T> list, int max) {
    if (list == null) {
      return List.of();
    }
    if (list.size() > max) {
      throw new ProtocolException(
          ProtocolError.LIMIT_EXCEEDED,
          "field '" + field + "' holds more than " + max + " entries");
    }
    for (T item : list) {
      if (item == null) {
        throw new ProtocolException(
            ProtocolError.MISSING_FIELD, "field '" + field + "' holds a null");
      }
    }
    return List.copyOf(list);
  }
}
