package io.parlance.client.security;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.util.Locale;
import java.util.Objects;

/**
 * A peer's identity: the SHA-256 of its public key (X.509 SubjectPublicKeyInfo), written in base32
 * (RFC 4648, no padding) in groups of four, e.g. {@code MFRG-GZDF-...} (13 groups). Base32 has no
 * look-alike digits or case, so people can read it aloud to each other.
 *
 * @param value the canonical form: 52 upper-case base32 characters in dash-separated groups
 */
public record PeerId(String value) {

  private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  private static final int CHARS = 52;

  /**
   * Checks the canonical form.
   *
   * @throws IllegalArgumentException if it is not a well-formed id
   */
  public PeerId {
    Objects.requireNonNull(value, "value");
    String plain = value.replace("-", "");
    if (plain.length() != CHARS || !plain.chars().allMatch(c -> ALPHABET.indexOf(c) >= 0)) {
      throw new IllegalArgumentException("not a Parlance peer id: " + value);
    }
    if (!value.equals(group(plain))) {
      throw new IllegalArgumentException("peer id is not in canonical form: " + value);
    }
  }

  /**
   * Computes the id of a public key.
   *
   * @param key the public key
   * @return its id
   */
  public static PeerId of(PublicKey key) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
      return new PeerId(group(base32(hash)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JVM lacks SHA-256", e);
    }
  }

  /**
   * Reads an id as a person may type it: any case, with or without dashes or spaces.
   *
   * @param text the id
   * @return the id
   * @throws IllegalArgumentException if it is not a well-formed id
   */
  public static PeerId parse(String text) {
    String plain = text.toUpperCase(Locale.ROOT).replaceAll("[\\s-]", "");
    return new PeerId(group(plain));
  }

  /**
   * Returns the first group, enough to tell apart two peers that share a nickname on screen.
   *
   * @return e.g. {@code MFRG}
   */
  public String shortForm() {
    return value.substring(0, 4);
  }

  @Override
  public String toString() {
    return value;
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
