package io.parlance.client.internet;

import io.parlance.client.security.PeerId;
import io.parlance.protocol.bootstrap.PeerInfo;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A peer the bootstrap server reports, with the identity this peer checked for itself.
 *
 * <p>The server passes on each peer's signed registration; {@link #of(PeerInfo)} keeps the id and
 * capabilities only when the signature verifies and the key hashes to the id, so a server cannot
 * pin someone else's id on a peer. It can still report a stale address for a real registration; the
 * TLS handshake with the peer checks the key again.
 *
 * @param nickname the peer's nickname
 * @param address where to reach it over TCP
 * @param id the peer's verified identity, or null for a plain peer or one whose identity does not
 *     verify
 * @param caps the extensions its verified registration lists; empty when {@code id} is null
 * @param key the Ed25519 key (base64 of its X.509 encoding) the registration was signed with and
 *     {@code id} is the fingerprint of, or null when {@code id} is; what a room's state names a
 *     member by, so an internet peer can be invited to a room
 */
public record RemotePeer(
    String nickname, InetSocketAddress address, PeerId id, Set<String> caps, String key) {

  private static final Logger LOG = LoggerFactory.getLogger(RemotePeer.class);

  /** Checks that the nickname and address are present. */
  public RemotePeer {
    Objects.requireNonNull(nickname, "nickname");
    Objects.requireNonNull(address, "address");
    caps = caps == null ? Set.of() : Set.copyOf(caps);
    if (id == null) {
      key = null;
    }
  }

  /**
   * Creates a peer whose key is not at hand.
   *
   * @param nickname the nickname
   * @param address the address
   * @param id its id, or null
   * @param caps its extensions
   */
  public RemotePeer(String nickname, InetSocketAddress address, PeerId id, Set<String> caps) {
    this(nickname, address, id, caps, null);
  }

  /**
   * Creates a plain peer: no identity, no extensions.
   *
   * @param nickname the nickname
   * @param address the address
   */
  public RemotePeer(String nickname, InetSocketAddress address) {
    this(nickname, address, null, Set.of(), null);
  }

  /**
   * Describes a peer from the server's report, keeping its identity only if it verifies here.
   *
   * @param info the peer as the server reports it
   * @return the peer
   */
  static RemotePeer of(PeerInfo info) {
    InetSocketAddress address = info.socketAddress();
    if (!info.claimsIdentity()) {
      return new RemotePeer(info.nickname(), address);
    }
    Optional<String> problem = info.identityProblem();
    if (problem.isPresent()) {
      LOG.info(
          "Treating '{}' at {} as a plain peer: its identity does not verify ({})",
          info.nickname(),
          info.address(),
          problem.get());
      return new RemotePeer(info.nickname(), address);
    }
    return new RemotePeer(
        info.nickname(),
        address,
        new PeerId(info.id()),
        info.caps() == null ? Set.of() : Set.copyOf(info.caps()),
        info.key());
  }
}
