package io.parlance.client.security;

import io.parlance.protocol.identity.Signatures;
import io.parlance.protocol.wire.Announce;
import io.parlance.protocol.wire.Goodbye;
import java.security.PublicKey;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.LongSupplier;

/**
 * Signs our announces and goodbyes with the profile's identity, and checks those of others: an
 * announce carrying an id is believed only if its key hashes to that id and its signature holds, so
 * no one can announce under someone else's id.
 *
 * <p>Each signed announce and goodbye carries a sequence number, {@code seq}, signed over by {@code
 * seq_sig}: the signer's clock in milliseconds, strictly increasing within a run, so it also grows
 * across restarts. A receiver keeps the highest number each id signed and refuses an older one, so
 * a recorded goodbye or announce cannot be replayed once something newer was heard. The older
 * signature {@code sig}, without the number, stays beside it for our peers from before it.
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
   * @param seq the sequence number {@code seq_sig} proves, or null for an announce from one of our
   *     peers from before sequence numbers, signed with {@code sig} only
   */
  public record Valid(PeerId id, PublicKey key, Long seq) implements Check {

    /**
     * Creates the result of a check without a sequence number.
     *
     * @param id the proven id
     * @param key the peer's public key
     */
    public Valid(PeerId id, PublicKey key) {
      this(id, key, null);
    }
  }

  /**
   * The announce carries an identity that does not hold; it must be ignored.
   *
   * @param reason what is wrong, for the log
   */
  public record Forged(String reason) implements Check {}

  private final Identity identity;
  private final List<String> caps;
  private final LongSupplier wallClock;
  private Announce lastAnnounce;
  private long lastSeq;

  /**
   * Creates the signer.
   *
   * @param identity our identity
   * @param caps the extensions we advertise, e.g. {@code tls} and {@code ack}
   */
  public SignedDiscovery(Identity identity, List<String> caps) {
    this(identity, caps, System::currentTimeMillis);
  }

  /**
   * Creates the signer on a given clock.
   *
   * @param identity our identity
   * @param caps the extensions we advertise
   * @param wallClock milliseconds since the epoch, as {@link System#currentTimeMillis()}; the
   *     sequence numbers follow it, and grow by one where it stands still or goes back
   */
  public SignedDiscovery(Identity identity, List<String> caps, LongSupplier wallClock) {
    this.identity = Objects.requireNonNull(identity, "identity");
    this.caps = List.copyOf(caps);
    this.wallClock = Objects.requireNonNull(wallClock, "wallClock");
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
   * Returns our signed announce; it is signed, with a new sequence number, once per nickname and
   * port, so repeating it costs nothing and the receivers check it once.
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
                nickname, tcpPort, identity.id().value(), identity.encodedPublicKey(), caps, null)
            .withSeq(nextSeq(), null);
    Announce signed = unsigned.withSig(encode(identity.sign(unsigned.signedPayload())));
    lastAnnounce = signed.withSeq(signed.seq(), encode(identity.sign(signed.freshPayload())));
    return lastAnnounce;
  }

  /**
   * Returns our signed goodbye, with a sequence number above that of every announce before it.
   *
   * @param nickname our nickname
   * @return the goodbye
   */
  public synchronized Goodbye goodbye(String nickname) {
    String id = identity.id().value();
    Goodbye legacy = new Goodbye(nickname, id, null);
    String sig = encode(identity.sign(legacy.signedPayload()));
    Goodbye unsigned = new Goodbye(nickname, id, sig, nextSeq(), null);
    return new Goodbye(
        nickname, id, sig, unsigned.seq(), encode(identity.sign(unsigned.freshPayload())));
  }

  /** The next sequence number: the clock, or one more than the last where it did not move on. */
  private long nextSeq() {
    lastSeq = Math.max(lastSeq + 1, wallClock.getAsLong());
    return lastSeq;
  }

  /**
   * Checks an announce.
   *
   * @param announce the announce
   * @return plain, valid (with the proven id) or forged (with the reason)
   */
  public static Check check(Announce announce) {
    if (announce.id() == null
        && announce.key() == null
        && announce.sig() == null
        && announce.seqSig() == null) {
      return new Plain();
    }
    boolean fresh = announce.seqSig() != null;
    if (fresh && announce.seq() == null) {
      return new Forged("'seq_sig' needs 'seq'");
    }
    Optional<String> problem =
        fresh
            ? Signatures.problem(
                    announce.id(), announce.key(), announce.seqSig(), announce.freshPayload())
                .map(p -> p.replace("'sig'", "'seq_sig'"))
            : Signatures.problem(
                announce.id(), announce.key(), announce.sig(), announce.signedPayload());
    if (problem.isPresent()) {
      return new Forged(problem.get());
    }
    PublicKey key = Identity.decodePublicKey(announce.key());
    PeerId claimed = PeerId.of(key);
    return new Valid(claimed, key, fresh ? announce.seq() : null);
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

  /**
   * Returns the sequence number of a goodbye if its {@code seq_sig} was made by a peer's key.
   *
   * @param goodbye the goodbye
   * @param id the peer's proven id
   * @param key the peer's key
   * @return the proven sequence number, or empty if the goodbye has none or its signature fails
   */
  public static OptionalLong freshSequence(Goodbye goodbye, PeerId id, PublicKey key) {
    if (goodbye.seq() == null || goodbye.seqSig() == null || !id.value().equals(goodbye.id())) {
      return OptionalLong.empty();
    }
    try {
      return Identity.verify(
              key, goodbye.freshPayload(), Base64.getDecoder().decode(goodbye.seqSig()))
          ? OptionalLong.of(goodbye.seq())
          : OptionalLong.empty();
    } catch (IllegalArgumentException e) {
      return OptionalLong.empty();
    }
  }

  private static String encode(byte[] bytes) {
    return Base64.getEncoder().encodeToString(bytes);
  }
}
