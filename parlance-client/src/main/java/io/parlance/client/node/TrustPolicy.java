package io.parlance.client.node;

import io.parlance.client.peer.Peer;
import io.parlance.client.peer.PeerDirectory;
import io.parlance.client.security.PeerId;
import io.parlance.client.security.TrustStore;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trust policy: which key a peer's nickname is pinned to, how a peer is reached (over TLS to
 * the id it proved, or plain), and which received messages are refused. Only reads the trust store
 * where it answers on an event loop; the store writes its file on a thread of its own.
 */
final class TrustPolicy {

  private static final Logger LOG = LoggerFactory.getLogger(TrustPolicy.class);

  private final TrustStore trust;
  private final PeerDirectory directory;
  private final boolean requireEncryption;
  private final EventDispatcher events;

  TrustPolicy(
      TrustStore trust,
      PeerDirectory directory,
      boolean requireEncryption,
      EventDispatcher events) {
    this.trust = Objects.requireNonNull(trust, "trust");
    this.directory = Objects.requireNonNull(directory, "directory");
    this.requireEncryption = requireEncryption;
    this.events = Objects.requireNonNull(events, "events");
  }

  /**
   * Says why a message that came over a connection authenticated as {@code id} must be refused, or
   * null if it may be shown as verified: its {@code from} must be the nickname that id announces,
   * and must not be remembered for another key.
   */
  String refusal(String from, PeerId id) {
    List<Peer> withId = directory.peers().stream().filter(p -> id.equals(p.id())).toList();
    if (!withId.isEmpty() && withId.stream().noneMatch(p -> p.nickname().equals(from))) {
      return "it claims to be from "
          + from
          + " but the sender proved the key of "
          + withId.get(0).nickname()
          + " ("
          + id
          + ")";
    }
    if (trust.status(from, id) instanceof TrustStore.Changed changed) {
      return changed.warning();
    }
    return null;
  }

  /** Pins a newly seen peer's key on first contact; warns loudly when it changed. */
  void checkTrust(Peer peer) {
    if (peer.id() == null) {
      return;
    }
    try {
      if (trust.check(peer.nickname(), peer.id()) instanceof TrustStore.Changed changed) {
        LOG.warn(changed.warning());
        events.publish(new NodeEvent.TrustWarning(peer, changed.warning()));
      }
    } catch (RuntimeException e) {
      LOG.warn("Cannot remember the key of {}: {}", peer.qualifiedName(), e.getMessage());
      events.publish(new NodeEvent.Error(e.getMessage()));
    }
  }

  /**
   * Decides how to reach a peer: over TLS to the id it proved, or plain. It only reads the trust
   * store (keys are remembered when a peer joins), because the outbox asks on an event loop for
   * every connection it opens.
   *
   * @return the id the TLS handshake must prove, or null for a plain connection
   * @throws SendException if the peer's key changed, or it is plain and encryption is required
   */
  PeerId securityFor(Peer peer) throws SendException {
    if (peer.id() != null && peer.has("tls")) {
      if (trust.status(peer.nickname(), peer.id()) instanceof TrustStore.Changed changed) {
        throw new SendException(SendException.Reason.UNTRUSTED, changed.warning());
      }
      return peer.id();
    }
    if (requireEncryption) {
      throw new SendException(
          SendException.Reason.ENCRYPTION_REQUIRED,
          peer.qualifiedName()
              + " speaks only the plain, unencrypted protocol, and encryption is required"
              + " (--require-encryption); the message was not sent");
    }
    return null;
  }

  /**
   * Accepts the key a peer presents now as the one to remember for its nickname, after a change.
   *
   * @param peer the peer
   * @throws SendException if the peer has no identity
   */
  void trust(Peer peer) throws SendException {
    if (peer.id() == null) {
      throw new SendException(
          SendException.Reason.FAILED,
          peer.qualifiedName() + " is a plain peer without an identity: there is no key to trust");
    }
    trust.trust(peer.nickname(), peer.id());
    LOG.info("Now trusting {} with id {}", peer.qualifiedName(), peer.id());
  }

  /**
   * Notes a real contact with a peer (a message exchanged over a connection that proved its id), so
   * its pinned key is never evicted to make room for announced ones.
   *
   * @param nickname the nickname
   * @param id the id it proved
   */
  void confirm(String nickname, PeerId id) {
    trust.confirm(nickname, id);
  }

  /**
   * Writes what is left of the trust store and stops its writer. Must not be called on an event
   * loop.
   *
   * @throws InterruptedException if interrupted while waiting
   */
  void close() throws InterruptedException {
    trust.close();
  }

  /**
   * Returns the ids accepted for a nickname, the first one first.
   *
   * @param nickname the nickname
   * @return the ids, possibly none
   */
  List<PeerId> remembered(String nickname) {
    return trust.remembered(nickname);
  }

  /**
   * Tells how far a peer is trusted.
   *
   * @param peer the peer
   * @return {@code plain}, {@code verified} or {@code changed}
   */
  String trustOf(Peer peer) {
    if (peer.id() == null) {
      return "plain";
    }
    return trust.status(peer.nickname(), peer.id()) instanceof TrustStore.Changed
        ? "changed"
        : "verified";
  }
}
