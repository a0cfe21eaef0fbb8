package io.parlance.client.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.parlance.client.messaging.InboundMessageHandler;
import io.parlance.client.store.AsyncMessageStore;
import io.parlance.client.store.MessageStore;
import io.parlance.protocol.codec.PeerLineEncoder;
import io.parlance.protocol.wire.ChatLine;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The receiving side on an {@link EmbeddedChannel}: the test thread never touches the channel while
 * the store thread may (it waits for the store to be idle first).
 */
class ReceiverTest {

  private final AsyncMessageStore store = new AsyncMessageStore(MessageStore.inMemory());
  private final List<String> shown = new CopyOnWriteArrayList<>();
  private final List<String> problems = new CopyOnWriteArrayList<>();
  private final Receiver receiver =
      new Receiver(
          store, message -> null, message -> shown.add(message.line().content()), problems::add);
  private final EmbeddedChannel channel =
      new EmbeddedChannel(PeerLineEncoder.INSTANCE, new InboundMessageHandler(receiver));

  @AfterEach
  void close() {
    channel.finishAndReleaseAll();
    store.close();
  }

  /** Waits until everything queued in the store ran, then runs the channel's pending tasks. */
  private void settle() throws Exception {
    store.submit(s -> null).get(10, TimeUnit.SECONDS);
    channel.runPendingTasks();
  }

  private List<String> acks() {
    List<String> out = new ArrayList<>();
    for (ByteBuf b; (b = channel.readOutbound()) != null; ) {
      out.add(b.toString(StandardCharsets.UTF_8));
      b.release();
    }
    return out;
  }

  /** Keeps the store thread busy until the returned gate is completed. */
  private CompletableFuture<Void> holdTheStore() throws InterruptedException {
    CountDownLatch running = new CountDownLatch(1);
    CompletableFuture<Void> gate = new CompletableFuture<>();
    store.submit(
        s -> {
          running.countDown();
          return gate.join();
        });
    assertThat(running.await(5, TimeUnit.SECONDS)).isTrue();
    return gate;
  }

  @Test
  void storesThenAcknowledgesThenShowsEachNewMessageInOrder() throws Exception {
    channel.writeInbound(new ChatLine("alice", "one", 1, "m-1"));
    channel.writeInbound(new ChatLine("alice", "two", 2, "m-2"));
    channel.writeInbound(new ChatLine("alice", "one", 1, "m-1")); // a re-send
    settle();

    assertThat(acks())
        .containsExactly(
            "{\"type\":\"ack\",\"id\":\"m-1\"}\n",
            "{\"type\":\"ack\",\"id\":\"m-2\"}\n",
            "{\"type\":\"ack\",\"id\":\"m-1\"}\n");
    assertThat(shown).containsExactly("one", "two");
    assertThat(store.history("alice", 10).get()).hasSize(2);
  }

  @Test
  void aConnectionThatOutrunsTheStoreIsPausedUntilTheStoreCatchesUp() throws Exception {
    CompletableFuture<Void> gate = holdTheStore();

    for (int i = 0; i < InboundMessageHandler.HIGH_WATER - 1; i++) {
      channel.writeInbound(new ChatLine("flood", "x" + i, 1));
    }
    assertThat(channel.config().isAutoRead()).isTrue();
    channel.writeInbound(new ChatLine("flood", "last", 1));
    assertThat(channel.config().isAutoRead()).as("paused at the high-water mark").isFalse();

    gate.complete(null);
    settle();

    assertThat(channel.config().isAutoRead()).as("resumed once stored").isTrue();
    assertThat(shown)
        .hasSize(InboundMessageHandler.HIGH_WATER)
        .startsWith("x0", "x1")
        .endsWith("last");
    assertThat(acks()).as("plain lines carry no id and get no ack").isEmpty();
  }

  @Test
  void aConnectionWhoseLongLinesOutrunTheStoreIsPausedByTheirSizeNotOnlyTheirCount()
      throws Exception {
    CompletableFuture<Void> gate = holdTheStore();
    String mebi = "m".repeat(1024 * 1024);

    for (int i = 0; i < InboundMessageHandler.HIGH_WATER_CHARS / mebi.length() - 1; i++) {
      channel.writeInbound(new ChatLine("big", mebi, 1));
    }
    assertThat(channel.config().isAutoRead()).isTrue();
    channel.writeInbound(new ChatLine("big", mebi, 1));
    assertThat(channel.config().isAutoRead()).as("paused by the characters waiting").isFalse();

    gate.complete(null);
    settle();

    assertThat(channel.config().isAutoRead()).as("resumed once stored").isTrue();
    assertThat(shown).hasSize(InboundMessageHandler.HIGH_WATER_CHARS / mebi.length());
  }

  @Test
  void aMessageThatCannotBeStoredIsNotAcknowledgedAndItsConnectionIsClosed() throws Exception {
    store.close(); // every store call now fails
    channel.writeInbound(new ChatLine("alice", "lost?", 1, "m-1"));
    channel.runPendingTasks();

    assertThat(acks()).isEmpty();
    assertThat(shown).isEmpty();
    assertThat(channel.isOpen()).as("closed so the sender sends it again").isFalse();
    assertThat(problems).singleElement().asString().contains("cannot store a message from alice");
  }

  @Test
  void aPlainMessageThatCannotBeStoredIsStillShown() throws Exception {
    store.close();
    channel.writeInbound(new ChatLine("rusty", "shown anyway", 1));
    channel.runPendingTasks();

    assertThat(shown).containsExactly("shown anyway");
    assertThat(channel.isOpen()).isTrue();
    assertThat(problems).singleElement().asString().contains("shown, not kept");
  }
}
