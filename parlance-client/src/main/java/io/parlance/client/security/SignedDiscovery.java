package io.parlance.client.security;

import io.parlance.protocol.identity.Signatures;
import io.parlance.protocol.wire.Announce;
import io.parlance.protocol.wire.Goodbye;
import java.security.PublicKey;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Signs our announces and goodbyes with the profile's identity, and checks those of others: an
 * announce carrying an id is believed only if its key hashes to that id and its signature holds, so
 * no one can announce under someone else's id.
 *
 * <p>What a signature cannot stop: replaying a peer's own announce from another address. That can
 * make us try the wrong address, but never talk to an impostor: the TLS handshake proves the id
 * again (see {@code docs/SECURITY.md}).
 */
public final class SignedDiscovery {

  /** What a check of an announce found. */
  public sealed interface Check {}

  /** The announce carries no identity: a plain Parlance peer. */
  public record Plain() implements Check {}

  /**
   * The announce is signed by the key of the id it carries.
   *
   * @param id the proven id
   * @param key the peer's public key
   */
  public record Valid(PeerId id, PublicKey key) implements Check {}

  /**
   * The announce carries an identity that does not hold; it must be ignored.
   *
   * @param reason what is wrong, for the log
   */
  public record Forged(String reason) implements Check {}

  private final Identity identity;
  private final List<String> caps;
  private Announce lastAnnounce;

  /**
   * Creates the signer.
   *
   * @param identity our identity
   * @param caps the extensions we advertise, e.g. {@code tls} and {@code ack}
   */
  public SignedDiscovery(Identity identity, List<String> caps) {
    this.identity = Objects.requireNonNull(identity, "identity");
    this.caps = List.copyOf(caps);
  }

  /**
   * Returns our identity.
   *
   * @return the identity
   */
  public Identity identity() {
    return identity;
  }

  /**
   * Returns our signed announce; the signature is made once per nickname and port.
   *
   * @param nickname our nickname
   * @param tcpPort our TCP port
   * @return the announce
   */
  public synchronized Announce announce(String nickname, int tcpPort) {
    Announce cached = lastAnnounce;
    if (cached != null && cached.nickname().equals(nickname) && cached.tcpPort() == tcpPort) {
      return cached;
    }
    Announce unsigned =
        new Announce(
            nickname, tcpPort, identity.id().value(), identity.encodedPublicKey(), caps, null);
    lastAnnounce = unsigned.withSig(encode(identity.sign(unsigned.signedPayload())));
    return lastAnnounce;
  }

  /**
   * Returns our signed goodbye.
   *
   * @param nickname our nickname
   * @return the goodbye
   */
  public Goodbye goodbye(String nickname) {
    Goodbye unsigned = new Goodbye(nickname, identity.id().value(), null);
    return new Goodbye(nickname, unsigned.id(), encode(identity.sign(unsigned.signedPayload())));
  }

  /**
   * Checks an announce.
   *
   * @param announce the announce
   * @return plain, valid (with the proven id) or forged (with the reason)
   */
  public static Check check(Announce announce) {
    if (announce.id() == null && announce.key() == null && announce.sig() == null) {
      return new Plain();
    }
    Optional<String> problem =
        Signatures.problem(announce.id(), announce.key(), announce.sig(), announce.signedPayload());
    if (problem.isPresent()) {
      return new Forged(problem.get());
    }
    PublicKey key = Identity.decodePublicKey(announce.key());
    PeerId claimed = PeerId.of(key);
    return new Valid(claimed, key);
  }

  /**
   * Checks that a goodbye was signed by a peer's key.
   *
   * @param goodbye the goodbye
   * @param id the peer's proven id
   * @param key the peer's key
   * @return true if the goodbye names that id and its signature holds
   */
  public static boolean isSignedBy(Goodbye goodbye, PeerId id, PublicKey key) {
    if (goodbye.sig() == null || !id.value().equals(goodbye.id())) {
      return false;
    }
    try {
      return Identity.verify(
          key, goodbye.signedPayload(), Base64.getDecoder().decode(goodbye.sig()));
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static String encode(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }
}
