package io.parlance.client.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.parlance.client.messaging.InboundMessageHandler;
import io.parlance.client.store.AsyncMessageStore;
import io.parlance.client.store.DiskSpace;
import io.parlance.client.store.MessageStore;
import io.parlance.protocol.codec.PeerLineEncoder;
import io.parlance.protocol.wire.ChatLine;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A receiver whose disk fills up: it acknowledges nothing it could not store, tells the user, and
 * stores and acknowledges the sender's next attempt once there is room, with no restart.
 */
class ReceiverFullDiskTest {

  private static final String BIG = "x".repeat(16_000);

  @TempDir Path dir;

  private AsyncMessageStore store;
  private final List<String> shown = new CopyOnWriteArrayList<>();
  private final List<String> problems = new CopyOnWriteArrayList<>();
  private Receiver receiver;

  @BeforeEach
  void open() {
    store = new AsyncMessageStore(MessageStore.open(dir.resolve("messages.db")));
    receiver =
        new Receiver(
            store, message -> null, message -> shown.add(message.line().id()), problems::add);
  }

  @AfterEach
  void close() {
    store.close();
  }

  private EmbeddedChannel connection() {
    return new EmbeddedChannel(PeerLineEncoder.INSTANCE, new InboundMessageHandler(receiver));
  }

  /** Waits until everything queued in the store ran, then runs the channel's pending tasks. */
  private void settle(EmbeddedChannel channel) throws Exception {
    store.submit(s -> null).get(10, TimeUnit.SECONDS);
    channel.runPendingTasks();
  }

  private static List<String> acks(EmbeddedChannel channel) {
    List<String> out = new ArrayList<>();
    for (ByteBuf b; (b = channel.readOutbound()) != null; ) {
      out.add(b.toString(StandardCharsets.UTF_8));
      b.release();
    }
    return out;
  }

  @Test
  void whatAFullDiskCouldNotStoreIsNeverAcknowledgedAndItsResendIsOnceThereIsRoom()
      throws Exception {
    DiskSpace.leaveRoomFor(store, 0);
    EmbeddedChannel first = connection();
    first.writeInbound(new ChatLine("alice", BIG, 1, "m-1"));
    settle(first);

    assertThat(acks(first)).as("nothing acknowledged that is not stored").isEmpty();
    assertThat(first.isOpen()).as("closed so the sender sends it again").isFalse();
    assertThat(shown).isEmpty();
    assertThat(problems)
        .singleElement()
        .asString()
        .contains("cannot store a message from alice")
        .contains("is full: free some space");
    first.finishAndReleaseAll();

    DiskSpace.free(store);
    // The sender's outbox sends it again on a new connection: stored, acknowledged, shown.
    EmbeddedChannel again = connection();
    again.writeInbound(new ChatLine("alice", BIG, 1, "m-1"));
    settle(again);

    assertThat(acks(again)).containsExactly("{\"type\":\"ack\",\"id\":\"m-1\"}\n");
    assertThat(shown).containsExactly("m-1");
    assertThat(store.history("alice", 10).get()).hasSize(1);
    again.finishAndReleaseAll();
  }
}
