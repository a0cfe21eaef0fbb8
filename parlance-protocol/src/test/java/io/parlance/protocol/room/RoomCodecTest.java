package io.parlance.protocol.room;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parlance.protocol.ProtocolError;
import io.parlance.protocol.ProtocolException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Room lines on the wire: round trips, and malformed, oversized and hostile input refused. */
class RoomCodecTest {

  private static final String ROOM = RoomIds.random();

  private static void refused(String json, ProtocolError kind) {
    assertThatThrownBy(() -> RoomCodec.read(json))
        .isInstanceOf(ProtocolException.class)
        .satisfies(e -> assertThat(((ProtocolException) e).kind()).isEqualTo(kind));
  }

  @Test
  void aSyncRequestRoundTrips() {
    RoomLine.SyncRequest r = new RoomLine.SyncRequest(ROOM, 3, Map.of("AAAA", 7L));
    String json = RoomCodec.write(r);
    assertThat(json).startsWith("{\"type\":\"room_sync\"");
    assertThat(RoomCodec.read(json)).isEqualTo(r);
  }

  @Test
  void aRoomIdIsTwentySixBase32Characters() {
    assertThat(RoomIds.random()).matches("[a-z2-7]{26}");
    assertThat(RoomIds.random()).isNotEqualTo(RoomIds.random());
    assertThat(RoomIds.valid("ABC")).isFalse();
  }

  @Test
  void unknownTypesMalformedJsonAndMissingFieldsAreRefused() {
    refused("{\"type\":\"room_takeover\",\"room\":\"" + ROOM + "\"}", ProtocolError.UNKNOWN_TYPE);
    refused("{\"type\":\"room_sync\",", ProtocolError.MALFORMED_JSON);
    refused(
        "{\"type\":\"room_sync\",\"room\":\"" + ROOM + "\",\"version\":1}",
        ProtocolError.MISSING_FIELD);
    refused(
        "{\"type\":\"room_sync\",\"room\":\"../../etc\",\"version\":1,\"marks\":{}}",
        ProtocolError.WRONG_FIELD_TYPE);
    refused(
        "{\"type\":\"room_sync\",\"room\":\"" + ROOM + "\",\"version\":-1,\"marks\":{}}",
        ProtocolError.WRONG_FIELD_TYPE);
  }

  @Test
  void oversizedLinesAndFieldsAreRefused() {
    refused(
        "{\"type\":\"room_sync\",\"x\":\"" + "a".repeat(RoomCodec.MAX_BYTES) + "\"}",
        ProtocolError.LIMIT_EXCEEDED);
    StringBuilder marks = new StringBuilder();
    for (int i = 0; i <= RoomLimits.MAX_MEMBERS; i++) {
      marks.append(i == 0 ? "" : ",").append("\"a").append(i).append("\":1");
    }
    refused(
        "{\"type\":\"room_sync\",\"room\":\""
            + ROOM
            + "\",\"version\":1,\"marks\":{"
            + marks
            + "}}",
        ProtocolError.LIMIT_EXCEEDED);
    String text = "x".repeat(RoomLimits.MAX_TEXT + 1);
    refused(
        "{\"type\":\"room_msg\",\"message\":{\"room\":\""
            + ROOM
            + "\",\"id\":\""
            + ROOM
            + "\",\"author\":\"A\",\"seq\":1,\"clock\":1,\"text\":\""
            + text
            + "\",\"sig\":\"s\"}}",
        ProtocolError.LIMIT_EXCEEDED);
  }

  @Test
  void aStateMustListItsMembersSortedAndOnce() {
    Member m = new Member("BBBB", "KEY", "bob", Role.MEMBER, 0);
    Member a = new Member("AAAA", "KEY", "alice", Role.CREATOR, 0);
    assertThatThrownBy(
            () ->
                new RoomState(
                    ROOM,
                    "r",
                    1,
                    null,
                    0,
                    "AAAA",
                    List.of(m, a),
                    Rules.MODERATED,
                    "AAAA",
                    null,
                    null,
                    null,
                    "sig"))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("sorted");
    assertThatThrownBy(
            () ->
                new RoomState(
                    ROOM,
                    "r",
                    2,
                    null,
                    0,
                    "AAAA",
                    List.of(a),
                    Rules.MODERATED,
                    "AAAA",
                    null,
                    null,
                    null,
                    "sig"))
        .isInstanceOf(ProtocolException.class)
        .hasMessageContaining("previous");
  }
}
