package io.parlance.client.security;

import io.parlance.protocol.identity.Fingerprints;
import java.security.PublicKey;
import java.util.Objects;

/**
 * A peer's identity: the SHA-256 of its public key (X.509 SubjectPublicKeyInfo), written in base32
 * (RFC 4648, no padding) in groups of four, e.g. {@code MFRG-GZDF-...} (13 groups). Base32 has no
 * look-alike digits or case, so people can read it aloud to each other. The computation and the
 * format are {@link Fingerprints}', which the bootstrap server shares.
 *
 * @param value the canonical form: 52 upper-case base32 characters in dash-separated groups
 */
public record PeerId(String value) {

  /**
   * Checks the canonical form.
   *
   * @throws IllegalArgumentException if it is not a well-formed id
   */
  public PeerId {
    Objects.requireNonNull(value, "value");
    Fingerprints.requireCanonical(value);
  }

  /**
   * Computes the id of a public key.
   *
   * @param key the public key
   * @return its id
   */
  public static PeerId of(PublicKey key) {
    return new PeerId(Fingerprints.of(key));
  }

  /**
   * Reads an id as a person may type it: any case, with or without dashes or spaces.
   *
   * @param text the id
   * @return the id
   * @throws IllegalArgumentException if it is not a well-formed id
   */
  public static PeerId parse(String text) {
    return new PeerId(Fingerprints.parse(text));
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
}
