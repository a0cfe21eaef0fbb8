package io.parlance.protocol.room;

/** Whoever signs room lines: a peer's identity (the client adapts its key pair to this). */
public interface RoomSigner {

  /**
   * Returns the signer's peer id.
   *
   * @return the fingerprint of {@link #key()}
   */
  String id();

  /**
   * Returns the signer's public key.
   *
   * @return base64 of its X.509 encoding
   */
  String key();

  /**
   * Signs bytes with Ed25519.
   *
   * @param data the bytes
   * @return the 64-byte signature
   */
  byte[] sign(byte[] data);
}
