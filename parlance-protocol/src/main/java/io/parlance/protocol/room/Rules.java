package io.parlance.protocol.room;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * Who may change a room's membership. For each action, 0 means the creator or a moderator does it
 * alone; a positive number is how many members' signed votes it needs (the creator may still act
 * alone).
 *
 * @param invite votes needed to admit a member
 * @param remove votes needed to remove a member
 * @param promote votes needed to make a member a moderator
 */
@JsonPropertyOrder({"invite", "remove", "promote"})
public record Rules(
    @JsonProperty("invite") int invite,
    @JsonProperty("remove") int remove,
    @JsonProperty("promote") int promote) {

  /** The default: moderators decide alone. */
  public static final Rules MODERATED = new Rules(0, 0, 0);

  /** Checks the bounds. */
  public Rules {
    RoomLimits.nonNegative("invite", invite);
    RoomLimits.nonNegative("remove", remove);
    RoomLimits.nonNegative("promote", promote);
    if (invite > RoomLimits.MAX_MEMBERS
        || remove > RoomLimits.MAX_MEMBERS
        || promote > RoomLimits.MAX_MEMBERS) {
      throw new io.parlance.protocol.ProtocolException(
          io.parlance.protocol.ProtocolError.LIMIT_EXCEEDED,
          "a vote threshold is above " + RoomLimits.MAX_MEMBERS);
    }
  }

  /**
   * Returns the votes an action needs.
   *
   * @param action the action
   * @return the threshold, 0 for moderators alone
   */
  public int threshold(Action action) {
    return switch (action) {
      case INVITE -> invite;
      case REMOVE -> remove;
      case PROMOTE -> promote;
    };
  }

  void addTo(Canonical c) {
    c.add(invite).add(remove).add(promote);
  }
}
