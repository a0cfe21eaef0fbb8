package io.parlance.protocol.room;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * The bytes a room signature covers: a domain tag, then each field as its length (four bytes) and
 * its UTF-8 bytes, so no two lists of fields encode alike and no signature fits another kind.
 */
final class Canonical {

  private final ByteArrayOutputStream out = new ByteArrayOutputStream(256);

  Canonical(String domain) {
    add(domain);
  }

  Canonical add(String field) {
    byte[] b = field.getBytes(StandardCharsets.UTF_8);
    int n = b.length;
    out.write(n >>> 24);
    out.write(n >>> 16);
    out.write(n >>> 8);
    out.write(n);
    out.write(b, 0, n);
    return this;
  }

  Canonical add(long value) {
    return add(Long.toString(value));
  }

  Canonical addNullable(String field) {
    return field == null ? add("-") : add("+").add(field);
  }

  byte[] bytes() {
    return out.toByteArray();
  }

  /** Returns the SHA-256 of the bytes so far, in URL-safe base64 without padding. */
  String digest() {
    return digest(bytes());
  }

  static String digest(byte[] data) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(data);
      return Base64.getUrlEncoder().withoutPadding().encodeToString(hash);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }
}
