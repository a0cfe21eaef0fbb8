package io.parlance.protocol.bootstrap;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonInclude.Include;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.parlance.protocol.Nickname;
import io.parlance.protocol.identity.Signatures;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;

/**
 * One online peer as the server describes it: {@code
 * {"nickname":"bob","address":"203.0.113.7:36091"}}.
 *
 * <p>A peer that registered with an identity also carries its {@code id}, {@code key}, {@code
 * caps}, and the {@code nonce} and {@code sig} of its registration, so that every other peer can
 * check for itself, with {@link #identityProblem()}, that the key holder registered this nickname,
 * port, addresses and capabilities, and that the id is the key's. The server cannot forge that; it
 * can only leave peers out, or replay an old registration, which the TLS handshake between the
 * peers then exposes.
 *
 * @param nickname the peer's nickname
 * @param address where the server saw the peer connect from, with its registered TCP port
 * @param addresses other {@code ip:port} addresses the peer registered; may be null
 * @param id the peer's identity fingerprint, or null
 * @param key the peer's Ed25519 public key (base64 of its X.509 encoding), or null
 * @param caps the extensions the peer registered, or null
 * @param nonce the challenge nonce the peer's registration signed, or null
 * @param sig the peer's registration signature (see {@link #signedPayload()}), or null
 * @param reachable whether the server's TCP probe of {@code address} succeeded when the peer
 *     registered; null if it was not probed. The server's word, not signed by the peer: a peer uses
 *     it only to choose between a direct connection and the relay, never to trust anyone.
 */
@JsonPropertyOrder({
  "nickname",
  "address",
  "addresses",
  "id",
  "key",
  "caps",
  "nonce",
  "sig",
  "reachable"
})
@JsonInclude(Include.NON_NULL)
public record PeerInfo(
    @JsonProperty(value = "nickname", required = true) String nickname,
    @JsonProperty(value = "address", required = true) String address,
    @JsonProperty("addresses") List<String> addresses,
    @JsonProperty("id") String id,
    @JsonProperty("key") String key,
    @JsonProperty("caps") List<String> caps,
    @JsonProperty("nonce") String nonce,
    @JsonProperty("sig") String sig,
    @JsonProperty("reachable") Boolean reachable) {

  /**
   * Validates the fields.
   *
   * @throws io.parlance.protocol.ProtocolException if a field is invalid, malformed or too long
   */
  @JsonCreator
  public PeerInfo {
    Nickname.requireValid(nickname);
    HostPort.parse("address", address);
    addresses = HostPort.requireValidList("addresses", addresses);
    IdentityFields.requireValid(id, key, sig);
    caps = IdentityFields.requireValidCaps(caps);
    IdentityFields.requireValidNonce(nonce);
  }

  /**
   * Creates a peer the server did not probe.
   *
   * @param nickname the nickname
   * @param address the address, {@code ip:port}
   * @param addresses other addresses, or null
   * @param id the id, or null
   * @param key the key, or null
   * @param caps the capabilities, or null
   * @param nonce the nonce, or null
   * @param sig the signature, or null
   */
  public PeerInfo(
      String nickname,
      String address,
      List<String> addresses,
      String id,
      String key,
      List<String> caps,
      String nonce,
      String sig) {
    this(nickname, address, addresses, id, key, caps, nonce, sig, null);
  }

  /**
   * Creates a plain peer.
   *
   * @param nickname the nickname
   * @param address the address, {@code ip:port}
   * @param addresses other addresses, or null
   */
  public PeerInfo(String nickname, String address, List<String> addresses) {
    this(nickname, address, addresses, null, null, null, null, null);
  }

  /**
   * Creates a plain peer without extra addresses.
   *
   * @param nickname the nickname
   * @param address the address
   */
  public PeerInfo(String nickname, InetSocketAddress address) {
    this(nickname, HostPort.format(address), null);
  }

  /**
   * Returns {@link #address()} as a socket address.
   *
   * @return the resolved address
   */
  public InetSocketAddress socketAddress() {
    return HostPort.parse("address", address);
  }

  /**
   * Tells whether the peer claims an identity, rightly or not.
   *
   * @return true if any of {@code id}, {@code key} and {@code sig} is present
   */
  public boolean claimsIdentity() {
    return id != null || key != null || sig != null;
  }

  /**
   * Returns the bytes the peer's registration signed: the same as {@link
   * ClientFrame.Register#signedPayload(String)}, with the port of {@link #address()} as {@code
   * tcp_port}.
   *
   * @return the payload
   */
  public byte[] signedPayload() {
    return IdentityFields.registrationPayload(
        nonce, nickname, socketAddress().getPort(), addresses, id, key, caps);
  }

  /**
   * Tells what, if anything, keeps this peer's identity from being proven. A peer checks it itself
   * rather than trust the server.
   *
   * @return what is wrong, in words, or empty if {@code key} is an Ed25519 key whose fingerprint is
   *     {@code id} and {@code sig} is its signature of {@link #signedPayload()}
   */
  public Optional<String> identityProblem() {
    if (nonce == null) {
      return Optional.of("an identity needs the 'nonce' its 'sig' signed");
    }
    return Signatures.problem(id, key, sig, signedPayload());
  }
}
