package io.parlance.protocol.room;

import com.fasterxml.jackson.annotation.JsonValue;

/** A change to a room's membership. */
public enum Action {
  /** Admit a new member. */
  INVITE,
  /** Remove a member: it gets nothing new. */
  REMOVE,
  /** Make a member a moderator. */
  PROMOTE;

  /**
   * Returns the wire name.
   *
   * @return the name in lower case
   */
  @JsonValue
  public String wire() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
