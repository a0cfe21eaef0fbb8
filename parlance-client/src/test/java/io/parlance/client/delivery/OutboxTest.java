package io.parlance.client.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.EventExecutorGroup;
import io.parlance.client.messaging.DeliveryException;
import io.parlance.client.messaging.PeerLink;
import io.parlance.client.peer.Peer;
import io.parlance.client.store.AsyncMessageStore;
import io.parlance.client.store.DeliveryState;
import io.parlance.client.store.MessageStore;
import io.parlance.client.store.StoredMessage;
import io.parlance.protocol.wire.ChatLine;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The outbox and its per-peer sender over fake links, without sockets: the window, go-back-N on a
 * late acknowledgement or a broken connection, backoff, duplicates, and one store round trip per
 * message.
 */
class OutboxTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final InetSocketAddress BOB_AT = new InetSocketAddress("127.0.0.1", 7001);
  private static final Peer BOB = new Peer("bob", BOB_AT, Peer.LAN, null, Set.of("ack"));
  private static final Peer PLAIN_BOB = new Peer("bob", BOB_AT, Peer.LAN);

  /** A connection that records what is written on it and completes each write at once. */
  private static final class FakeLink implements PeerLink {
    final List<ChatLine> written = new CopyOnWriteArrayList<>();
    final CompletableFuture<Void> closed = new CompletableFuture<>();

    @Override
    public InetSocketAddress remoteAddress() {
      return BOB_AT;
    }

    @Override
    public boolean isOpen() {
      return !closed.isDone();
    }

    @Override
    public CompletableFuture<Void> write(ChatLine line) {
      if (closed.isDone()) {
        return CompletableFuture.failedFuture(
            new DeliveryException(
                DeliveryException.Reason.CONNECTION_LOST, BOB_AT, "closed", null));
      }
      written.add(line);
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public void flush() {}

    @Override
    public CompletableFuture<Void> closed() {
      return closed;
    }

    @Override
    public void close() {
      closed.complete(null);
    }
  }

  /** Hands out a fresh link per connection asked for, or fails while told to. */
  private static final class FakeConnections implements PeerConnections {
    final List<FakeLink> links = new CopyOnWriteArrayList<>();
    final AtomicInteger attempts = new AtomicInteger();
    final AtomicBoolean refuse = new AtomicBoolean();

    @Override
    public CompletableFuture<PeerLink> connection(Peer peer) {
      attempts.incrementAndGet();
      if (refuse.get()) {
        return CompletableFuture.failedFuture(
            new DeliveryException(
                DeliveryException.Reason.REFUSED, peer.address(), "connection refused", null));
      }
      FakeLink link = new FakeLink();
      links.add(link);
      return CompletableFuture.completedFuture(link);
    }

    FakeLink last() {
      return links.get(links.size() - 1);
    }

    /** Every line written on every link, in order. */
    List<String> contents() {
      List<String> out = new ArrayList<>();
      links.forEach(l -> l.written.forEach(line -> out.add(line.content())));
      return out;
    }
  }

  /** Records what the outbox reports. */
  private static final class Reports implements DeliveryListener {
    final List<String> sent = new CopyOnWriteArrayList<>();
    final List<String> delivered = new CopyOnWriteArrayList<>();
    final List<String> problems = new CopyOnWriteArrayList<>();

    @Override
    public void queued(StoredMessage message) {}

    @Override
    public void sent(StoredMessage message, Peer peer) {
      sent.add(message.content());
    }

    @Override
    public void delivered(StoredMessage message) {
      delivered.add(message.content());
    }

    @Override
    public void problem(String message) {
      problems.add(message);
    }
  }

  private final AsyncMessageStore store = new AsyncMessageStore(MessageStore.inMemory());
  private final EventExecutorGroup loop = new DefaultEventExecutorGroup(1);
  private final FakeConnections connections = new FakeConnections();
  private final Reports reports = new Reports();
  private Outbox outbox;

  @AfterEach
  void close() {
    if (outbox != null) {
      outbox.close();
    }
    loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    store.close();
  }

  private Outbox outbox(int window, Duration ackTimeout, Duration maxRetryDelay) {
    outbox =
        new Outbox(
            store,
            connections,
            loop,
            new Outbox.Settings(window, 1024, ackTimeout, maxRetryDelay, 10_000),
            () -> "alice",
            reports);
    return outbox;
  }

  private List<CompletableFuture<Outgoing>> submit(Peer to, String... texts) {
    List<CompletableFuture<Outgoing>> outcomes = new ArrayList<>();
    for (String text : texts) {
      outcomes.add(outbox.submit(Outbox.keyOf(to), to.nickname(), to, text, 1));
    }
    return outcomes;
  }

  /** Waits until the store and then the sender's loop have run everything queued so far. */
  private void settle() throws Exception {
    for (int i = 0; i < 3; i++) {
      store.submit(s -> null).get(10, TimeUnit.SECONDS);
      loop.submit(() -> {}).get(10, TimeUnit.SECONDS);
    }
  }

  private String idOf(String content) {
    return connections.links.stream()
        .flatMap(l -> l.written.stream())
        .filter(line -> line.content().equals(content))
        .findFirst()
        .orElseThrow()
        .id();
  }

  @Test
  void noMoreThanTheWindowIsUnacknowledgedAtOnce() throws Exception {
    outbox(3, Duration.ofMinutes(1), Duration.ofMinutes(1));
    submit(BOB, "m1", "m2", "m3", "m4", "m5");
    await().atMost(WAIT).until(() -> connections.contents().size() == 3);
    settle();
    assertThat(connections.contents()).containsExactly("m1", "m2", "m3");

    assertThat(outbox.acked(BOB_AT, idOf("m1"))).isTrue();
    await().atMost(WAIT).until(() -> connections.contents().size() == 4);
    settle();
    assertThat(connections.contents()).containsExactly("m1", "m2", "m3", "m4");
    await().atMost(WAIT).until(() -> reports.delivered.contains("m1"));
    assertThat(connections.links).as("one connection for all").hasSize(1);
  }

  @Test
  void oneMessageForManyRecipientsIsStoredOncePerRecipientAndSentToEach() throws Exception {
    outbox(16, Duration.ofMinutes(1), Duration.ofMinutes(1));
    List<Outbox.Recipient> recipients = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      Peer p =
          new Peer(
              "p" + i, new InetSocketAddress("127.0.0.1", 8000 + i), Peer.LAN, null, Set.of("ack"));
      recipients.add(new Outbox.Recipient(Outbox.keyOf(p), p.nickname(), p));
    }
    List<StoredMessage> copies =
        outbox.submitAll(recipients, "to the room", 1).get(10, TimeUnit.SECONDS);

    assertThat(copies)
        .extracting(StoredMessage::peer)
        .containsExactlyElementsOf(recipients.stream().map(Outbox.Recipient::key).toList());
    assertThat(copies).extracting(StoredMessage::id).doesNotHaveDuplicates();
    await().atMost(WAIT).until(() -> connections.contents().size() == 100);
    assertThat(connections.contents()).containsOnly("to the room");
    for (Outbox.Recipient r : recipients) {
      assertThat(store.submit(s -> s.outbox(r.key(), 10)).get(10, TimeUnit.SECONDS))
          .as("waits for %s's ack", r.nickname())
          .extracting(StoredMessage::content)
          .containsExactly("to the room");
    }
  }

  @Test
  void aLateAcknowledgementMakesTheWholeWindowGoAgainOldestFirst() throws Exception {
    outbox(3, Duration.ofMillis(200), Duration.ofSeconds(1));
    submit(BOB, "m1", "m2", "m3");
    await().atMost(WAIT).until(() -> connections.contents().size() >= 6);

    assertThat(connections.contents().subList(0, 6))
        .containsExactly("m1", "m2", "m3", "m1", "m2", "m3");
    assertThat(reports.sent).as("sent is told once per message").containsExactly("m1", "m2", "m3");
  }

  @Test
  void aPeerThatKeepsAcknowledgingInOrderIsNotTimedOutHoweverLongTheWindowTakes() throws Exception {
    // The ack timeout (1.5-2 s with its jitter) is shorter than the whole window takes (8 acks
    // 400 ms apart), but never passes between two acks: the peer is slow, not gone.
    outbox(8, Duration.ofSeconds(2), Duration.ofSeconds(2));
    submit(BOB, "m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8");
    await().atMost(WAIT).until(() -> connections.contents().size() == 8);
    for (int i = 1; i <= 8; i++) {
      Thread.sleep(400);
      assertThat(outbox.acked(BOB_AT, idOf("m" + i))).isTrue();
    }
    await().atMost(WAIT).until(() -> reports.delivered.size() == 8);
    settle();

    assertThat(connections.contents())
        .containsExactly("m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8");
    assertThat(connections.links).hasSize(1);
  }

  @Test
  void anOldestMessageLeftUnacknowledgedWhileLaterOnesAreIsStillSentAgain() throws Exception {
    outbox(4, Duration.ofMillis(800), Duration.ofSeconds(1));
    submit(BOB, "m1", "m2", "m3", "m4");
    await().atMost(WAIT).until(() -> connections.contents().size() == 4);
    for (int i = 2; i <= 4; i++) {
      Thread.sleep(150);
      assertThat(outbox.acked(BOB_AT, idOf("m" + i))).isTrue();
    }
    await().atMost(WAIT).until(() -> connections.contents().size() >= 5);

    assertThat(connections.contents().get(4)).as("m1 goes again").isEqualTo("m1");
    assertThat(connections.contents()).filteredOn("m1"::equals).hasSizeGreaterThanOrEqualTo(2);
  }

  @Test
  void aDuplicateOrMisdirectedAcknowledgementChangesNothing() throws Exception {
    outbox(4, Duration.ofMinutes(1), Duration.ofMinutes(1));
    submit(BOB, "m1", "m2");
    await().atMost(WAIT).until(() -> connections.contents().size() == 2);
    String first = idOf("m1");

    assertThat(outbox.acked(new InetSocketAddress("127.0.0.1", 7002), first))
        .as("only the peer it went to may acknowledge it")
        .isFalse();
    assertThat(outbox.acked(BOB_AT, first)).isTrue();
    settle();
    assertThat(outbox.acked(BOB_AT, first)).as("acknowledged already").isFalse();
    await().atMost(WAIT).until(() -> reports.delivered.contains("m1"));
    settle();

    assertThat(reports.delivered).containsExactly("m1");
    assertThat(store.submit(s -> s.outbox("bob", 10)).get())
        .extracting(StoredMessage::content)
        .containsExactly("m2");
  }

  @Test
  void aConnectionThatBreaksWithMessagesInFlightIsReplacedAndTheyGoAgainInOrder() throws Exception {
    outbox(4, Duration.ofMinutes(1), Duration.ofMinutes(1));
    submit(BOB, "m1", "m2", "m3");
    await().atMost(WAIT).until(() -> connections.contents().size() == 3);
    outbox.acked(BOB_AT, idOf("m1"));
    settle();

    connections.last().close();
    await().atMost(WAIT).until(() -> connections.links.size() == 2);
    await().atMost(WAIT).until(() -> connections.last().written.size() == 2);

    assertThat(connections.last().written)
        .extracting(ChatLine::content)
        .containsExactly("m2", "m3");
  }

  @Test
  void anUnreachablePeerIsRetriedWithBackoffAndItsMessagesStayQueued() throws Exception {
    outbox(4, Duration.ofMinutes(1), Duration.ofMillis(50));
    connections.refuse.set(true);
    List<CompletableFuture<Outgoing>> outcomes = submit(BOB, "m1");

    Outgoing first = outcomes.get(0).get(10, TimeUnit.SECONDS);
    assertThat(first.state()).isEqualTo(DeliveryState.QUEUED);
    assertThat(first.note()).contains("cannot reach bob now").contains("connection refused");
    await().atMost(WAIT).until(() -> connections.attempts.get() >= 3);

    connections.refuse.set(false);
    await().atMost(WAIT).until(() -> connections.contents().contains("m1"));
  }

  @Test
  void theRetryWaitDoublesFromHalfASecondUpToTheLongestWithJitterInItsUpperHalf() {
    assertThat(PeerSender.retryCeilingMillis(0, 60_000)).isEqualTo(500);
    assertThat(PeerSender.retryCeilingMillis(1, 60_000)).isEqualTo(1_000);
    assertThat(PeerSender.retryCeilingMillis(3, 60_000)).isEqualTo(4_000);
    assertThat(PeerSender.retryCeilingMillis(10, 60_000)).isEqualTo(60_000);
    assertThat(PeerSender.retryCeilingMillis(1_000, 60_000)).isEqualTo(60_000);
    for (int i = 0; i < 100; i++) {
      assertThat(PeerSender.retryDelayMillis(2, 60_000)).isBetween(1_000L, 2_000L);
    }
  }

  @Test
  void aPlainPeerGetsLinesWithoutIdsOnTheSameKindOfLinkAndIsDoneOnceWritten() throws Exception {
    outbox(4, Duration.ofMinutes(1), Duration.ofMinutes(1));
    submit(PLAIN_BOB, "p1", "p2");
    await().atMost(WAIT).until(() -> reports.sent.size() == 2);
    settle();

    assertThat(connections.links).hasSize(1);
    assertThat(connections.last().written).extracting(ChatLine::id).containsOnlyNulls();
    assertThat(connections.contents()).containsExactly("p1", "p2");
    assertThat(store.submit(s -> s.outbox("bob", 10)).get())
        .as("left the outbox once written")
        .isEmpty();
  }

  @Test
  void aMessageSentToAPeerWhoseOutboxIsInMemoryIsNotReadBackFromTheStore() throws Exception {
    outbox(8, Duration.ofMinutes(1), Duration.ofMinutes(1));
    submit(BOB, "m1");
    await().atMost(WAIT).until(() -> connections.contents().size() == 1);
    settle();
    long pages = outbox.pagesRead("bob");

    submit(BOB, "m2", "m3", "m4");
    await().atMost(WAIT).until(() -> connections.contents().size() == 4);
    settle();

    assertThat(connections.contents()).containsExactly("m1", "m2", "m3", "m4");
    assertThat(outbox.pagesRead("bob")).isEqualTo(pages);
  }

  private StoredMessage stored(String content) throws Exception {
    return store.submit(s -> s.history("bob", 100)).get(10, TimeUnit.SECONDS).stream()
        .filter(m -> m.content().equals(content))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void aWriteAckedSoonIsRecordedDeliveredWithItsAttemptAndOneNotAckedIsRecordedSent()
      throws Exception {
    outbox(8, Duration.ofMinutes(1), Duration.ofMinutes(1));
    submit(BOB, "acked", "not acked");
    await().atMost(WAIT).until(() -> connections.contents().size() == 2);
    assertThat(outbox.acked(BOB_AT, idOf("acked"))).isTrue();
    await().atMost(WAIT).until(() -> reports.delivered.contains("acked"));

    assertThat(stored("acked"))
        .satisfies(
            m -> {
              assertThat(m.state()).isEqualTo(DeliveryState.DELIVERED);
              assertThat(m.attempts()).isEqualTo(1);
            });
    // The write with no ack is recorded too, once the ack had its time to come.
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(stored("not acked"))
                    .satisfies(
                        m -> {
                          assertThat(m.state()).isEqualTo(DeliveryState.SENT);
                          assertThat(m.attempts()).isEqualTo(1);
                        }));
    assertThat(store.submit(s -> s.outbox("bob", 10)).get(10, TimeUnit.SECONDS))
        .extracting(StoredMessage::content)
        .containsExactly("not acked");
  }

  @Test
  void aWriteNotYetRecordedWhenTheOutboxClosesIsRecordedSentWithItsEarlierAttempts()
      throws Exception {
    outbox(8, Duration.ofMillis(50), Duration.ofMillis(100));
    submit(BOB, "late");
    // No ack: after the timeout it goes again, so two attempts, the first recorded at once.
    await().atMost(WAIT).until(() -> connections.contents().size() >= 2);
    outbox.close();
    settle();

    StoredMessage late = stored("late");
    assertThat(late.state()).isEqualTo(DeliveryState.SENT);
    // Each write that completed before the close counts (one racing the close may not).
    assertThat(late.attempts()).isBetween(2, connections.contents().size());
  }
}
