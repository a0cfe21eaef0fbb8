package io.parlance.protocol.room;

import com.fasterxml.jackson.annotation.JsonValue;

/** What a member may do in a room. */
public enum Role {
  /** Made the room; may change anything alone and cannot be removed. */
  CREATOR,
  /** Named by the creator (or a vote); may do alone what the rules leave to moderators. */
  MODERATOR,
  /** Reads and writes. */
  MEMBER,
  /** Was removed: gets nothing new; its messages up to its removal stay valid. */
  REMOVED;

  /**
   * Returns the wire name.
   *
   * @return the name in lower case
   */
  @JsonValue
  public String wire() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  /**
   * Returns whether a member with this role is in the room now.
   *
   * @return true unless removed
   */
  public boolean active() {
    return this != REMOVED;
  }
}
