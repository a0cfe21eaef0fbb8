package io.parlance.bootstrap.registry;

import io.parlance.protocol.bootstrap.HostPort;
import io.parlance.protocol.bootstrap.PeerInfo;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;

/**
 * One live registration.
 *
 * <p>A registration made with an identity carries the identity fields as the peer sent them, and
 * the nonce its signature covers, so that other peers can check the signature themselves. The
 * server verified them before registering; the registry trusts {@code id}.
 *
 * @param nickname the nickname it holds
 * @param address the connection's source IP with the registered TCP port
 * @param addresses other {@code ip:port} addresses the peer registered; may be null
 * @param owner an id of the connection that holds it, so a late close never removes a newer holder
 * @param id the peer's verified identity fingerprint, or null for a plain registration
 * @param key the peer's public key (base64 of its X.509 encoding), or null
 * @param caps the extensions the peer registered, or null
 * @param nonce the challenge nonce the registration signed, or null
 * @param sig the registration's signature, or null
 * @param reachable whether the server's probe reached {@code address} when it registered; null if
 *     it was not probed
 */
public record PeerEntry(
    String nickname,
    InetSocketAddress address,
    List<String> addresses,
    String owner,
    String id,
    String key,
    List<String> caps,
    String nonce,
    String sig,
    Boolean reachable) {

  /** Checks the required parts. */
  public PeerEntry {
    Objects.requireNonNull(nickname, "nickname");
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(owner, "owner");
    addresses = addresses == null ? null : List.copyOf(addresses);
    caps = caps == null ? null : List.copyOf(caps);
  }

  /**
   * Creates a registration the server did not probe.
   *
   * @param nickname the nickname
   * @param address the address
   * @param addresses other addresses, or null
   * @param owner an id of the holding connection
   * @param id the verified id, or null
   * @param key the key, or null
   * @param caps the capabilities, or null
   * @param nonce the signed nonce, or null
   * @param sig the signature, or null
   */
  public PeerEntry(
      String nickname,
      InetSocketAddress address,
      List<String> addresses,
      String owner,
      String id,
      String key,
      List<String> caps,
      String nonce,
      String sig) {
    this(nickname, address, addresses, owner, id, key, caps, nonce, sig, null);
  }

  /**
   * Creates a plain registration, without an identity.
   *
   * @param nickname the nickname
   * @param address the address
   * @param addresses other addresses, or null
   * @param owner an id of the holding connection
   */
  public PeerEntry(
      String nickname, InetSocketAddress address, List<String> addresses, String owner) {
    this(nickname, address, addresses, owner, null, null, null, null, null, null);
  }

  /**
   * Describes the entry as the wire shows a peer.
   *
   * @return the peer's wire description
   */
  public PeerInfo toPeerInfo() {
    return new PeerInfo(
        nickname, HostPort.format(address), addresses, id, key, caps, nonce, sig, reachable);
  }
}
