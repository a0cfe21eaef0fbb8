package io.parlance.protocol.bootstrap;

import io.parlance.protocol.ProtocolError;
import io.parlance.protocol.ProtocolException;
import io.parlance.protocol.identity.Fingerprints;
import io.parlance.protocol.wire.Extensions;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * The optional identity fields of bootstrap frames ({@code id}, {@code key}, {@code caps}, {@code
 * nonce}, {@code sig}): their bounds and syntax, and the one definition of the bytes a registration
 * signs. Whether a signature verifies is for the server and the peers to check.
 */
final class IdentityFields {

  /** The first line of a registration's signed payload, naming the format. */
  static final String REGISTRATION_TAG = "parlance-register-v1";

  private IdentityFields() {}

  /**
   * Checks the bounds and syntax of the identity fields a frame carries.
   *
   * @param id a peer id in canonical form, or null
   * @param key base64 of a public key, or null
   * @param sig base64 of a signature, or null
   * @throws ProtocolException if a field is too long or malformed
   */
  static void requireValid(String id, String key, String sig) {
    Extensions.requireBounded("id", id);
    Extensions.requireBounded("key", key);
    Extensions.requireBounded("sig", sig);
    if (id != null && !Fingerprints.isCanonical(id)) {
      throw new ProtocolException(
          ProtocolError.WRONG_FIELD_TYPE,
          "field 'id' is not a peer id (52 base32 characters in dash-separated groups of 4)");
    }
    requireBase64("key", key);
    requireBase64("sig", sig);
  }

  /**
   * Checks an optional list of capabilities: bounded, and names of visible ASCII without commas
   * (they are joined by commas in the signed payload, which must stay unambiguous).
   *
   * @param caps the list, possibly null
   * @return an unmodifiable copy, or null
   * @throws ProtocolException if it is too long or a name is malformed
   */
  static List<String> requireValidCaps(List<String> caps) {
    return Extensions.requireBoundedCaps(caps);
  }

  /**
   * Checks a challenge nonce: base64 of exactly {@link BootstrapProtocol#NONCE_BYTES} bytes.
   *
   * @param nonce the nonce, possibly null
   * @return the nonce
   * @throws ProtocolException if it is malformed
   */
  static String requireValidNonce(String nonce) {
    if (nonce == null) {
      return null;
    }
    Extensions.requireBounded("nonce", nonce);
    byte[] bytes = requireBase64("nonce", nonce);
    if (bytes.length != BootstrapProtocol.NONCE_BYTES) {
      throw new ProtocolException(
          ProtocolError.WRONG_FIELD_TYPE,
          "field 'nonce' must be base64 of " + BootstrapProtocol.NONCE_BYTES + " bytes");
    }
    return nonce;
  }

  /**
   * Returns the bytes a registration's {@code sig} signs: a tag, the server's nonce and every
   * signed field, one per line ({@code \n}) in a fixed order; lists are joined by commas, and
   * absent fields are empty.
   *
   * <pre>
   * parlance-register-v1
   * &lt;nonce&gt;
   * &lt;nickname&gt;
   * &lt;tcp_port&gt;
   * &lt;addresses joined by ","&gt;
   * &lt;id&gt;
   * &lt;key&gt;
   * &lt;caps joined by ","&gt;
   * </pre>
   *
   * <p>No field can hold a line break (nicknames, addresses, ids, base64 and caps exclude it), so
   * the lines cannot be shifted.
   */
  static byte[] registrationPayload(
      String nonce,
      String nickname,
      int tcpPort,
      List<String> addresses,
      String id,
      String key,
      List<String> caps) {
    return String.join(
            "\n",
            REGISTRATION_TAG,
            orEmpty(nonce),
            nickname,
            Integer.toString(tcpPort),
            addresses == null ? "" : String.join(",", addresses),
            orEmpty(id),
            orEmpty(key),
            caps == null ? "" : String.join(",", caps))
        .getBytes(StandardCharsets.UTF_8);
  }

  private static String orEmpty(String s) {
    return s == null ? "" : s;
  }

  private static byte[] requireBase64(String field, String value) {
    if (value == null) {
      return null;
    }
    try {
      return Base64.getDecoder().decode(value);
    } catch (IllegalArgumentException e) {
      throw new ProtocolException(
          ProtocolError.WRONG_FIELD_TYPE, "field '" + field + "' is not base64", e);
    }
  }
}
