package io.parlance.client.node;

import io.parlance.client.peer.Peer;
import io.parlance.client.peer.PeerDirectory;
import io.parlance.client.security.PeerId;
import io.parlance.client.security.TrustStore;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;
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
      if (withId.stream().anyMatch(p -> p.nickname().equals(from)) && pinnedOnline(from)) {
        // Two peers share the nickname, both online: not a key change. The second one's messages
        // are shown as its own (nickname#id, not pinned), filed under its id, never as the first.
        return null;
      }
      return changed.warning();
    }
    return null;
  }

  /**
   * Tells whether a peer online now proves a key pinned for a nickname.
   *
   * @param nickname the nickname
   * @return true if a listed peer of that nickname has a pinned key
   */
  boolean pinnedOnline(String nickname) {
    List<PeerId> pins = trust.remembered(nickname);
    if (pins.isEmpty()) {
      return false;
    }
    return directory.byNickname(nickname).stream()
        .anyMatch(p -> p.id() != null && pins.contains(p.id()));
  }

  /**
   * Tells whether a sender's key is one pinned for its nickname (or the nickname has no pin yet).
   *
   * @param nickname the nickname
   * @param id the key it proved
   * @return false if other keys are pinned for the nickname and this one is not
   */
  boolean isPinned(String nickname, PeerId id) {
    return !(trust.status(nickname, id) instanceof TrustStore.Changed);
  }

  /**
   * Chooses the peer a bare nickname means when keys are pinned for it: the one online peer that
   * proves a pinned key. A plain peer or a peer with another key under a pinned nickname is never
   * chosen silently: it may be anyone using the name (a plain announce costs nothing).
   *
   * @param nickname the nickname, as the user typed it
   * @param pins the keys pinned for it, not empty
   * @param online the peers listed under it now
   * @return the peer, or null if none is online (the message may wait for a pinned one)
   * @throws SendException if several pinned peers are online (say which), or only peers that prove
   *     no pinned key (say who they are and how to reach one deliberately)
   */
  static Peer pinnedChoice(String nickname, List<PeerId> pins, List<Peer> online)
      throws SendException {
    List<Peer> pinned =
        online.stream().filter(p -> p.id() != null && pins.contains(p.id())).toList();
    boolean otherKeysOnline =
        online.stream().anyMatch(p -> p.id() != null && !pins.contains(p.id()));
    if (pinned.size() == 1 && !otherKeysOnline) {
      // A plain namesake (free for anyone to announce) never takes the name, nor blocks it.
      return pinned.get(0);
    }
    if (pinned.size() == 1) {
      // Two peers with keys share the name: the user tells them apart (issue 21, two bobs).
      List<Peer> keyed = online.stream().filter(p -> p.id() != null).toList();
      throw new SendException(
          SendException.Reason.AMBIGUOUS_NICKNAME,
          keyed.size()
              + " peers are called "
              + nickname
              + "; name one of them: "
              + keyed.stream()
                  .map(
                      p ->
                          handle(p)
                              + (pins.contains(p.id()) ? ", the one you trust" : ", another key"))
                  .collect(Collectors.joining("; ")),
          keyed,
          null);
    }
    if (pinned.size() > 1) {
      throw new SendException(
          SendException.Reason.AMBIGUOUS_NICKNAME,
          pinned.size()
              + " peers you trust are called "
              + nickname
              + "; name one of them: "
              + pinned.stream().map(TrustPolicy::handle).collect(Collectors.joining(", ")),
          pinned,
          null);
    }
    if (online.isEmpty()) {
      return null;
    }
    if (online.size() == 1 && online.get(0).id() != null) {
      // One peer of that name, with another key: a key change, or an impostor.
      throw new SendException(
          SendException.Reason.UNTRUSTED,
          "not sent: "
              + new TrustStore.Changed(nickname, pins.get(0), online.get(0).id()).warning(),
          online,
          null);
    }
    StringBuilder text =
        new StringBuilder("not sent: ")
            .append(nickname)
            .append(" is known by the key ")
            .append(pins.get(0))
            .append(pins.size() > 1 ? " (or " + (pins.size() - 1) + " more)" : "")
            .append(", and no peer online proves it. Online under that name now: ");
    String plainExample = null;
    String keyedExample = null;
    for (int i = 0; i < online.size(); i++) {
      Peer p = online.get(i);
      if (i > 0) {
        text.append("; ");
      }
      if (p.id() == null) {
        text.append(p.qualifiedName()).append(", a plain peer (unencrypted, unverified)");
        plainExample = plainExample == null ? p.qualifiedName() : plainExample;
      } else {
        text.append(handle(p)).append(", another key");
        keyedExample =
            keyedExample == null ? p.nickname() + "#" + p.id().shortForm() : keyedExample;
      }
    }
    text.append(". It may be someone else using the name.");
    if (plainExample != null) {
      text.append(" To write to the plain peer anyway, name it: /send ")
          .append(plainExample)
          .append(" <text>.");
    }
    if (keyedExample != null) {
      text.append(" If ")
          .append(nickname)
          .append("'s key really changed, compare ids (/verify ")
          .append(keyedExample)
          .append("), then /trust ")
          .append(keyedExample)
          .append('.');
    }
    throw new SendException(SendException.Reason.UNTRUSTED, text.toString(), online, null);
  }

  /** A peer's name with the start of its id and its address: {@code bob#OKTR (bob@ip:port)}. */
  static String handle(Peer p) {
    return p.id() == null
        ? p.qualifiedName()
        : p.nickname() + "#" + p.id().shortForm() + " (" + p.qualifiedName() + ")";
  }

  /** Pins a newly seen peer's key on first contact; warns loudly when it changed. */
  void checkTrust(Peer peer) {
    if (peer.id() == null) {
      return;
    }
    try {
      if (trust.check(peer.nickname(), peer.id()) instanceof TrustStore.Changed changed) {
        if (pinnedOnline(peer.nickname())) {
          // The pinned peer is online too: two peers share the nickname, no key changed. The
          // newcomer is listed as nickname#id, and reached only once the user trusts it.
          LOG.info(
              "Another peer called {} joined at {} with id {}; the pinned one is online too",
              peer.nickname(),
              peer.addressText(),
              peer.id());
          return;
        }
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
        if (pinnedOnline(peer.nickname())) {
          throw new SendException(
              SendException.Reason.UNTRUSTED,
              handle(peer)
                  + " is another peer called "
                  + peer.nickname()
                  + ", not the one you know ("
                  + changed.remembered()
                  + "); nothing was sent. To talk to it too, compare ids (/verify "
                  + peer.nickname()
                  + "#"
                  + peer.id().shortForm()
                  + "), then /trust "
                  + peer.nickname()
                  + "#"
                  + peer.id().shortForm());
        }
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
   * @return {@code plain}, {@code verified}, {@code unpinned} (another peer of that nickname, whose
   *     key is pinned, is online too) or {@code changed}
   */
  String trustOf(Peer peer) {
    if (peer.id() == null) {
      return "plain";
    }
    if (trust.status(peer.nickname(), peer.id()) instanceof TrustStore.Changed) {
      return pinnedOnline(peer.nickname()) ? "unpinned" : "changed";
    }
    return "verified";
  }
}
