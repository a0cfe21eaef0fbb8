package io.parlance.client.node;

import io.parlance.protocol.Nickname;
import io.parlance.protocol.Protocol;
import io.parlance.protocol.ProtocolException;
import io.parlance.protocol.json.WireJson;
import io.parlance.protocol.wire.ChatLine;
import java.util.List;
import java.util.Objects;

/** Send validation: whether a text can go on the wire, checked before it is queued. */
final class MessageCheck {

  /**
   * An id and a nickname as long as a line can carry: a message is checked against the line limit
   * with them before it is queued, so it fits whatever our nickname is when it goes out.
   */
  private static final String WORST_ID = "00000000-0000-0000-0000-000000000000";

  private static final String WORST_NICKNAME = "x".repeat(Nickname.MAX_BYTES);

  private MessageCheck() {}

  /**
   * Checks that a text can go on the wire, with the longest nickname and an id.
   *
   * @param text the text
   * @throws SendException of reason {@link SendException.Reason#INVALID_MESSAGE}, saying why not
   */
  static void check(String text) throws SendException {
    Objects.requireNonNull(text, "text");
    if (io.parlance.client.room.RoomEnvelope.isRoomLine(text)) {
      throw new SendException(
          SendException.Reason.INVALID_MESSAGE,
          "the message starts with a control character that marks room lines; remove it",
          List.of(),
          null);
    }
    ChatLine line;
    try {
      line = ChatLine.now(WORST_NICKNAME, text).withId(WORST_ID);
    } catch (ProtocolException e) {
      throw new SendException(
          SendException.Reason.INVALID_MESSAGE, "the message " + e.getMessage(), List.of(), e);
    }
    if (mostBytesOnTheWire(line) > Protocol.MAX_LINE_BYTES) {
      // Only a long text can be too long: encode it to know.
      int size = WireJson.toBytes(line).length;
      if (size > Protocol.MAX_LINE_BYTES) {
        throw new SendException(
            SendException.Reason.INVALID_MESSAGE,
            "the message is too long: "
                + size
                + " bytes on the wire; the limit is "
                + Protocol.MAX_LINE_BYTES);
      }
    }
  }

  /**
   * Returns the most bytes a chat line can take as JSON: at most 6 bytes per UTF-16 unit (a control
   * character is escaped as six characters, any other unit is at most 3 bytes of UTF-8), plus the
   * field names, the punctuation and a timestamp of at most 20 digits.
   */
  private static long mostBytesOnTheWire(ChatLine line) {
    long units = line.from().length() + line.content().length();
    long fixed = 64; // {"from":"","content":"","timestamp":} and 20 digits
    if (line.id() != null) {
      units += line.id().length();
      fixed += 8; // ,"id":""
    }
    return 6 * units + fixed;
  }
}
