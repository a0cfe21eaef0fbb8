package io.parlance.protocol.room;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.parlance.protocol.Nickname;
import io.parlance.protocol.ProtocolError;
import io.parlance.protocol.ProtocolException;
import java.util.Objects;

/**
 * One entry of a room's member list.
 *
 * @param id the member's peer id (fingerprint of {@code key})
 * @param key the member's Ed25519 public key, base64 of its X.509 encoding
 * @param nickname the nickname it had when it was admitted (a label only)
 * @param role its role
 * @param until for a removed member, the Lamport clock of its removal: its messages with a higher
 *     clock are refused; 0 otherwise
 */
@JsonPropertyOrder({"id", "key", "nickname", "role", "until"})
public record Member(
    @JsonProperty(value = "id", required = true) String id,
    @JsonProperty(value = "key", required = true) String key,
    @JsonProperty(value = "nickname", required = true) String nickname,
    @JsonProperty(value = "role", required = true) Role role,
    @JsonProperty("until") long until) {

  /** Checks the bounds. */
  public Member {
    RoomLimits.token("id", id);
    RoomLimits.token("key", key);
    Nickname.requireValid(nickname);
    if (role == null) {
      throw new ProtocolException(ProtocolError.MISSING_FIELD, "field 'role' is missing");
    }
    RoomLimits.nonNegative("until", until);
  }

  /**
   * Returns this member with another role.
   *
   * @param newRole the role
   * @param newUntil the removal clock, or 0
   * @return the new entry
   */
  public Member with(Role newRole, long newUntil) {
    return new Member(id, key, nickname, Objects.requireNonNull(newRole, "newRole"), newUntil);
  }

  void addTo(Canonical c) {
    c.add(id).add(key).add(nickname).add(role.wire()).add(until);
  }
}
