package io.parlance.client.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.parlance.client.room.RoomEnvelope;
import io.parlance.protocol.room.RoomIds;
import io.parlance.protocol.room.RoomLine;
import io.parlance.protocol.room.RoomMessage;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The room tables: states and messages survive a reopen, in the room's order, found by search. */
class RoomTablesTest {

  @TempDir Path dir;

  private static MessageStore.RoomRow row(String id, String author, long clock, String text) {
    return new MessageStore.RoomRow("room1", id, author, author + "-nick", clock, text, 0);
  }

  @Test
  void statesAndMessagesSurviveAReopenInTheRoomsOrder() {
    AtomicLong clock = new AtomicLong(1000);
    Path file = dir.resolve(MessageStore.FILE);
    try (MessageStore store = MessageStore.open(file, clock::incrementAndGet, 200)) {
      store.saveRoomState("room1", 1, "lab", "{\"v\":1}");
      store.saveRoomState("room1", 2, "lab", "{\"v\":2}");
      store.saveRoomState("room1", 2, "lab", "{\"v\":2,\"settled\":true}");
      // stored in arrival order, read in the agreed order (clock, author, seq)
      assertThat(store.saveRoomMessage(row("m3", "bob", 5, "third"), 2, "{3}")).isTrue();
      assertThat(store.saveRoomMessage(row("m1", "bob", 2, "first words"), 1, "{1}")).isTrue();
      assertThat(store.saveRoomMessage(row("m2", "alice", 5, "second"), 1, "{2}")).isTrue();
      assertThat(store.saveRoomMessage(row("m2", "alice", 5, "second"), 1, "{2}"))
          .as("a duplicate")
          .isFalse();
    }
    try (MessageStore store = MessageStore.open(file, clock::incrementAndGet, 200)) {
      assertThat(store.rooms()).containsExactly("room1");
      assertThat(store.roomStates("room1"))
          .containsExactly("{\"v\":1}", "{\"v\":2,\"settled\":true}");
      assertThat(store.roomMessages("room1")).containsExactly("{1}", "{2}", "{3}");
      assertThat(store.roomHistory("room1", 2))
          .extracting(MessageStore.RoomRow::id)
          .containsExactly("m2", "m3");
      assertThat(store.roomSearch("first", 10))
          .extracting(MessageStore.RoomRow::id)
          .containsExactly("m1");
      assertThat(store.roomSearch("\" OR *", 10)).isEmpty();
      store.deleteRoomMessage("room1", "m3");
      assertThat(store.roomMessages("room1")).containsExactly("{1}", "{2}");
      assertThat(store.roomSearch("third", 10)).isEmpty();
      assertThat(store.history("room1", 10)).as("rooms stay out of one-to-one history").isEmpty();
    }
  }

  private static String post(String room, long clock) {
    return RoomEnvelope.wrap(
        new RoomLine.Post(
            new RoomMessage(room, RoomIds.random(), "alice", clock, clock, "hi", "c2ln")));
  }

  @Test
  void ourPostsInARoomStillInTheOutboxAreCountedPerMemberWithThoseInTheMailbox() {
    AtomicLong clock = new AtomicLong(1000);
    String lab = RoomIds.random();
    String other = RoomIds.random();
    try (MessageStore store =
        MessageStore.open(dir.resolve(MessageStore.FILE), clock::incrementAndGet, 200)) {
      StoredMessage queued = store.enqueue("BOB", "bob", post(lab, 1), 1);
      StoredMessage deposited = store.enqueue("BOB", "bob", post(lab, 2), 1);
      StoredMessage delivered = store.enqueue("BOB", "bob", post(lab, 3), 1);
      store.enqueue("CAROL", "carol", post(lab, 1), 1);
      assertThat(store.markDeposited("BOB", deposited.id())).isTrue();
      assertThat(store.markDelivered("BOB", delivered.id())).isTrue();
      // not counted: another room's post, another room line, a one-to-one text, a broken line
      store.enqueue("BOB", "bob", post(other, 4), 1);
      store.enqueue("BOB", "bob", RoomEnvelope.wrap(new RoomLine.SyncRequest(lab, 1, Map.of())), 1);
      store.enqueue(
          "BOB", "bob", "{\"type\":\"room_msg\",\"message\":{\"room\":\"" + lab + "\"}}", 1);
      store.enqueue("BOB", "bob", RoomEnvelope.PREFIX + "{not json", 1);

      assertThat(store.pendingRoomPosts(RoomEnvelope.PREFIX, lab))
          .containsOnly(
              Map.entry("BOB", new MessageStore.PendingCount(2, 1)),
              Map.entry("CAROL", new MessageStore.PendingCount(1, 0)));
      assertThat(queued.state()).isEqualTo(DeliveryState.QUEUED);
      assertThat(store.pendingRoomPosts(RoomEnvelope.PREFIX, RoomIds.random())).isEmpty();
      assertThat(store.markDelivered("BOB", deposited.id())).isTrue();
      assertThat(store.pendingRoomPosts(RoomEnvelope.PREFIX, lab).get("BOB"))
          .isEqualTo(new MessageStore.PendingCount(1, 0));
    }
  }
}
