package io.parlance.protocol.room;

import io.parlance.protocol.identity.Fingerprints;
import io.parlance.protocol.identity.Signatures;
import java.security.PublicKey;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Signs and checks room signatures, caching decoded keys (a room has few). */
final class Sigs {

  private static final int CACHE = 4096;
  private static final Map<String, PublicKey> KEYS = new ConcurrentHashMap<>();

  private Sigs() {}

  static String sign(RoomSigner signer, byte[] data) {
    return Base64.getEncoder().encodeToString(signer.sign(data));
  }

  /** Returns the peer id of a key, or null if it is not an Ed25519 public key. */
  static String idOf(String key) {
    PublicKey pk = decode(key);
    return pk == null ? null : Fingerprints.of(pk);
  }

  private static PublicKey decode(String key) {
    PublicKey pk = KEYS.get(key);
    if (pk == null) {
      try {
        pk = Signatures.decodePublicKey(key);
      } catch (IllegalArgumentException e) {
        return null;
      }
      if (KEYS.size() < CACHE) {
        KEYS.put(key, pk);
      }
    }
    return pk;
  }

  static boolean valid(String key, byte[] data, String sig) {
    PublicKey pk = decode(key);
    if (pk == null) {
      return false;
    }
    byte[] raw;
    try {
      raw = Base64.getDecoder().decode(sig);
    } catch (IllegalArgumentException e) {
      return false;
    }
    return raw.length == Signatures.SIGNATURE_BYTES && Signatures.verify(pk, data, raw);
  }
}
