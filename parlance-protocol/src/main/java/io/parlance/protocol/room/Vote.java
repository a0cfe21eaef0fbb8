package io.parlance.protocol.room;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * A member's signed yes to a proposal.
 *
 * @param room the room id
 * @param proposal the proposal's {@link Proposal#digest digest}
 * @param voter the voting member's id
 * @param sig the voter's signature
 */
@JsonPropertyOrder({"room", "proposal", "voter", "sig"})
public record Vote(
    @JsonProperty(value = "room", required = true) String room,
    @JsonProperty(value = "proposal", required = true) String proposal,
    @JsonProperty(value = "voter", required = true) String voter,
    @JsonProperty(value = "sig", required = true) String sig) {

  /** Checks the bounds (not the signature: see {@link #signedBy}). */
  public Vote {
    RoomIds.require(room);
    RoomLimits.token("proposal", proposal);
    RoomLimits.token("voter", voter);
    RoomLimits.token("sig", sig);
  }

  /**
   * Makes and signs a vote.
   *
   * @param proposal the proposal
   * @param signer the voter
   * @return the vote
   */
  public static Vote create(Proposal proposal, RoomSigner signer) {
    String digest = proposal.digest();
    byte[] data = payload(proposal.room(), digest, signer.id());
    return new Vote(proposal.room(), digest, signer.id(), Sigs.sign(signer, data));
  }

  /**
   * Returns whether the vote is signed by this key.
   *
   * @param key the voter's key, base64
   * @return true if the signature is valid
   */
  public boolean signedBy(String key) {
    return Sigs.valid(key, payload(room, proposal, voter), sig);
  }

  private static byte[] payload(String room, String proposal, String voter) {
    return new Canonical("parlance-room-vote-v1").add(room).add(proposal).add(voter).bytes();
  }
}
