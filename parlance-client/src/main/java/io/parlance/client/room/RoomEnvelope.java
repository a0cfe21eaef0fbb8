package io.parlance.client.room;

import io.parlance.protocol.room.RoomCodec;
import io.parlance.protocol.room.RoomLine;

/**
 * How a room line rides the one-to-one delivery (outbox, acks, TLS): as the text of a chat line
 * that starts with {@link #PREFIX}, a control character no user can send (a one-to-one text that
 * starts with it is refused before it is queued). Only peers that proved their id get them.
 */
public final class RoomEnvelope {

  /** What every room line's carrier text starts with. */
  public static final String PREFIX = "\u0001room ";

  private RoomEnvelope() {}

  /**
   * Returns whether a chat line's text carries a room line.
   *
   * @param content the text
   * @return true if it starts with {@link #PREFIX}
   */
  public static boolean isRoomLine(String content) {
    return content.startsWith(PREFIX);
  }

  /**
   * Wraps a room line.
   *
   * @param line the line
   * @return the carrier text
   */
  public static String wrap(RoomLine line) {
    return PREFIX + RoomCodec.write(line);
  }

  /**
   * Unwraps a room line.
   *
   * @param content the carrier text
   * @return the line
   * @throws io.parlance.protocol.ProtocolException if it is not a valid room line
   */
  public static RoomLine unwrap(String content) {
    return RoomCodec.read(content.substring(PREFIX.length()));
  }
}
