package io.parlance.protocol.room;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.parlance.protocol.Nickname;
import io.parlance.protocol.ProtocolError;
import io.parlance.protocol.ProtocolException;

/**
 * One membership change: what a proposal asks for and what a new state version did.
 *
 * @param action what to do
 * @param target the peer id it is done to
 * @param key the target's public key (needed to admit it; the current one otherwise)
 * @param nickname the target's nickname (a label)
 */
@JsonPropertyOrder({"action", "target", "key", "nickname"})
public record Change(
    @JsonProperty(value = "action", required = true) Action action,
    @JsonProperty(value = "target", required = true) String target,
    @JsonProperty(value = "key", required = true) String key,
    @JsonProperty(value = "nickname", required = true) String nickname) {

  /** Checks the bounds. */
  public Change {
    if (action == null) {
      throw new ProtocolException(ProtocolError.MISSING_FIELD, "field 'action' is missing");
    }
    RoomLimits.token("target", target);
    RoomLimits.token("key", key);
    Nickname.requireValid(nickname);
  }

  void addTo(Canonical c) {
    c.add(action.wire()).add(target).add(key).add(nickname);
  }
}
