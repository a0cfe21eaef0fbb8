package io.parlance.protocol.room;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.parlance.protocol.ProtocolError;
import io.parlance.protocol.ProtocolException;

/**
 * A signed request for a change that the room's rules put to a vote.
 *
 * @param room the room id
 * @param base the state version it applies to
 * @param change the change
 * @param proposer the proposing member's id
 * @param sig the proposer's signature
 */
@JsonPropertyOrder({"room", "base", "change", "proposer", "sig"})
public record Proposal(
    @JsonProperty(value = "room", required = true) String room,
    @JsonProperty(value = "base", required = true) long base,
    @JsonProperty(value = "change", required = true) Change change,
    @JsonProperty(value = "proposer", required = true) String proposer,
    @JsonProperty(value = "sig", required = true) String sig) {

  /** Checks the bounds (not the signature: see {@link #signedBy}). */
  public Proposal {
    RoomIds.require(room);
    RoomLimits.nonNegative("base", base);
    if (change == null) {
      throw new ProtocolException(ProtocolError.MISSING_FIELD, "field 'change' is missing");
    }
    RoomLimits.token("proposer", proposer);
    RoomLimits.token("sig", sig);
  }

  /**
   * Makes and signs a proposal.
   *
   * @param room the room
   * @param base the current state version
   * @param change the change
   * @param signer the proposer
   * @return the proposal
   */
  public static Proposal create(String room, long base, Change change, RoomSigner signer) {
    byte[] data = payload(room, base, change, signer.id());
    return new Proposal(room, base, change, signer.id(), Sigs.sign(signer, data));
  }

  /**
   * Returns whether the proposal is signed by this key.
   *
   * @param key the proposer's key, base64
   * @return true if the signature is valid
   */
  public boolean signedBy(String key) {
    return Sigs.valid(key, payload(room, base, change, proposer), sig);
  }

  /**
   * Returns the digest that votes sign: it names the proposal without its signature.
   *
   * @return URL-safe base64 of a SHA-256
   */
  @JsonIgnore
  public String digest() {
    return Canonical.digest(payload(room, base, change, proposer));
  }

  private static byte[] payload(String room, long base, Change change, String proposer) {
    Canonical c = new Canonical("parlance-room-proposal-v1").add(room).add(base);
    change.addTo(c);
    return c.add(proposer).bytes();
  }
}
