package io.parlance.client.room;

import io.parlance.client.security.Identity;
import io.parlance.protocol.room.RoomSigner;
import java.util.Objects;

/**
 * A profile's identity as a room signer.
 *
 * @param identity the identity
 */
public record IdentitySigner(Identity identity) implements RoomSigner {

  /** Checks the identity is given. */
  public IdentitySigner {
    Objects.requireNonNull(identity, "identity");
  }

  @Override
  public String id() {
    return identity.id().value();
  }

  @Override
  public String key() {
    return identity.encodedPublicKey();
  }

  @Override
  public byte[] sign(byte[] data) {
    return identity.sign(data);
  }
}
