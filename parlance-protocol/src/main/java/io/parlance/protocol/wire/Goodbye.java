package io.parlance.protocol.wire;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.parlance.protocol.Nickname;

/**
 * "I am leaving": {@code {"type":"goodbye","nickname":"alice"}}.
 *
 * @param nickname the departing peer's nickname, valid by Parlance's rules
 */
public record Goodbye(@JsonProperty(value = "nickname", required = true) String nickname)
    implements DiscoveryMessage {

  /** The value of the {@code type} field. */
  public static final String TYPE = "goodbye";

  /**
   * Validates the nickname.
   *
   * @throws io.parlance.protocol.ProtocolException if the nickname is invalid
   */
  public Goodbye {
    Nickname.requireValid(nickname);
  }
}
