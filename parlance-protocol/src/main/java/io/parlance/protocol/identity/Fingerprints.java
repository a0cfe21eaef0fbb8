package io.parlance.protocol.identity;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.util.Locale;
import java.util.Objects;

/**
 * Peer ids: the SHA-256 of a public key's X.509 SubjectPublicKeyInfo encoding, in base32 (RFC 4648,
 * upper case, no padding), 52 characters in dash-separated groups of four, e.g. {@code
 * MFRG-GZDF-...} (13 groups). Base32 has no look-alike digits or case, so people can read an id
 * aloud to each other.
 *
 * <p>This is the one implementation: peers ({@code PeerId}) and the bootstrap server both use it.
 */
public final class Fingerprints {

  /** Characters of an id without its dashes. */
  public static final int CHARS = 52;

  /** Characters of an id in its canonical, dashed form. */
  public static final int CANONICAL_CHARS = CHARS + CHARS / 4 - 1;

  private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

  private Fingerprints() {}

  /**
   * Computes the id of a public key.
   *
   * @param key the public key
   * @return its id, in canonical form
   */
  public static String of(PublicKey key) {
    return of(Objects.requireNonNull(key, "key").getEncoded());
  }

  /**
   * Computes the id of an encoded public key.
   *
   * @param subjectPublicKeyInfo the key's X.509 SubjectPublicKeyInfo encoding
   * @return its id, in canonical form
   */
  public static String of(byte[] subjectPublicKeyInfo) {
    Objects.requireNonNull(subjectPublicKeyInfo, "subjectPublicKeyInfo");
    try {
      return group(base32(MessageDigest.getInstance("SHA-256").digest(subjectPublicKeyInfo)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM lacks SHA-256", e);
    }
  }

  /**
   * Tells whether text is an id in canonical form.
   *
   * @param id the text, possibly null
   * @return true if it is 52 upper-case base32 characters in dash-separated groups of four
   */
  public static boolean isCanonical(String id) {
    return id != null
        && id.length() == CANONICAL_CHARS
        && isPlain(id.replace("-", ""))
        && id.equals(group(id.replace("-", "")));
  }

  /**
   * Returns an id if it is in canonical form.
   *
   * @param id the id
   * @return the same id
   * @throws IllegalArgumentException if it is not a well-formed id, or not in canonical form
   */
  public static String requireCanonical(String id) {
    Objects.requireNonNull(id, "id");
    String plain = id.replace("-", "");
    if (!isPlain(plain)) {
      throw new IllegalArgumentException("not a Parlance peer id: " + shorten(id));
    }
    if (!id.equals(group(plain))) {
      throw new IllegalArgumentException("peer id is not in canonical form: " + shorten(id));
    }
    return id;
  }

  /**
   * Reads an id as a person may type it: any case, with or without dashes or spaces.
   *
   * @param text the id
   * @return the id in canonical form
   * @throws IllegalArgumentException if it is not a well-formed id
   */
  public static String parse(String text) {
    Objects.requireNonNull(text, "text");
    String plain = text.toUpperCase(Locale.ROOT).replaceAll("[\\s-]", "");
    if (!isPlain(plain)) {
      throw new IllegalArgumentException("not a Parlance peer id: " + shorten(text));
    }
    return group(plain);
  }

  private static boolean isPlain(String plain) {
    return plain.length() == CHARS && plain.chars().allMatch(c -> ALPHABET.indexOf(c) >= 0);
  }

  private static String shorten(String text) {
    return text.length() > 2 * CANONICAL_CHARS
        ? text.substring(0, 2 * CANONICAL_CHARS) + "..."
        : text;
  }

  private static String group(String plain) {
    StringBuilder out = new StringBuilder(plain.length() + plain.length() / 4);
    for (int i = 0; i < plain.length(); i++) {
      if (i > 0 && i % 4 == 0) {
        out.append('-');
      }
      out.append(plain.charAt(i));
    }
    return out.toString();
  }

  private static String base32(byte[] bytes) {
    StringBuilder out = new StringBuilder((bytes.length * 8 + 4) / 5);
    int buffer = 0;
    int bits = 0;
    for (byte b : bytes) {
      buffer = (buffer << 8) | (b & 0xff);
      bits += 8;
      while (bits >= 5) {
        out.append(ALPHABET.charAt((buffer >> (bits - 5)) & 31));
        bits -= 5;
      }
    }
    if (bits > 0) {
      out.append(ALPHABET.charAt((buffer << (5 - bits)) & 31));
    }
    return out.toString();
  }
}
