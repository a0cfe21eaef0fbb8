package io.parlance.client.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.parlance.client.control.Inbox;
import io.parlance.client.node.NodeEvent;
import io.parlance.client.node.PeerNode;
import io.parlance.client.store.DeliveryState;
import io.parlance.client.testing.TestNodes;
import io.parlance.client.testing.TestNodes.Started;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one place commands run: each command's replies, who gets them, and the event stream. */
class CommandExecutorTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir Path dir;

  private final TestNodes nodes = new TestNodes();
  private final List<PeerNode> own = new ArrayList<>();

  @AfterEach
  void stopAll() {
    own.forEach(PeerNode::stop);
    nodes.close();
  }

  /** A face that records what it is given. */
  private static final class Recorder implements CommandExecutor.Face {
    final List<Reply> replies = new CopyOnWriteArrayList<>();
    final List<NodeEvent> events = new CopyOnWriteArrayList<>();

    @Override
    public void reply(Reply reply) {
      replies.add(reply);
    }

    @Override
    public void event(NodeEvent event) {
      events.add(event);
    }

    <T extends Reply> List<T> replies(Class<T> type) {
      return replies.stream().filter(type::isInstance).map(type::cast).toList();
    }
  }

  private PeerNode node(String base) {
    PeerNode node =
        new PeerNode(nodes.options(nodes.nick(base)).dataDir(dir.resolve(base)).build());
    own.add(node);
    return node;
  }

  /**
   * Starts a node (made earlier, so an executor hears all) and a peer, once both see each other.
   */
  private Started startWithPeer(PeerNode node, String base) throws InterruptedException {
    node.start();
    Started peer = nodes.start(nodes.nick(base));
    await()
        .atMost(WAIT)
        .until(
            () ->
                peer.sees(node.nickname())
                    && node.peers().stream()
                        .anyMatch(p -> p.nickname().equals(peer.node().nickname())));
    return peer;
  }

  @Test
  void eachCommandIsAnsweredOnlyToTheClientThatRanIt() {
    CommandExecutor executor = new CommandExecutor(node("alice"), new Inbox());
    Recorder one = new Recorder();
    Recorder two = new Recorder();
    CommandExecutor.Client first = executor.open(one, false);
    executor.open(two, false);

    assertThat(first.line("/peers")).isTrue();
    assertThat(first.line("/help")).isTrue();
    assertThat(first.line("/dance")).isTrue();
    assertThat(first.line("   ")).isTrue();
    assertThat(first.line("/clear")).isTrue();
    assertThat(first.line("/inbox")).isTrue();
    assertThat(first.line("/quit")).isFalse();

    assertThat(one.replies)
        .containsExactly(
            new Reply.Peers(List.of()),
            new Reply.Help(),
            new Reply.Failure("unknown command /dance; /help lists the commands"),
            new Reply.Clear(),
            new Reply.Inbox(List.of()));
    assertThat(two.replies).isEmpty();
    assertThat(first.drained()).isCompleted();
  }

  @Test
  void withoutAnInboxInboxAndFollowAreRefusedAndNothingIsFollowed() {
    CommandExecutor executor = new CommandExecutor(node("alice"), null);
    Recorder face = new Recorder();
    CommandExecutor.Client client = executor.open(face, false);

    client.line("/inbox");
    client.line("/follow inbox");

    assertThat(face.replies)
        .containsExactly(
            new Reply.Failure(CommandExecutor.NO_INBOX),
            new Reply.Failure(CommandExecutor.NO_INBOX));
    assertThat(client.following()).isFalse();
  }

  @Test
  void followGivesTheInboxThenEveryEventAndOnlyToFollowers() throws Exception {
    PeerNode alice = node("alice");
    CommandExecutor executor = new CommandExecutor(alice, new Inbox());
    Started bob = startWithPeer(alice, "bob");
    bob.node().send(alice.nickname(), "first").get(10, TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> executor.inbox().size() == 1);

    Recorder follower = new Recorder();
    Recorder other = new Recorder();
    CommandExecutor.Client following = executor.open(follower, false);
    executor.open(other, false);
    following.line("/follow inbox");

    assertThat(following.following()).isTrue();
    assertThat(follower.replies.get(0)).isEqualTo(new Reply.Following());
    assertThat(((Reply.Inbox) follower.replies.get(1)).messages())
        .extracting(NodeEvent.MessageReceived::content)
        .containsExactly("first");

    bob.node().send(alice.nickname(), "second").get(10, TimeUnit.SECONDS);

    await()
        .atMost(WAIT)
        .until(
            () ->
                follower.events.stream()
                    .anyMatch(
                        e ->
                            e instanceof NodeEvent.MessageReceived m
                                && m.content().equals("second")));
    assertThat(other.events).isEmpty();
    assertThat(following.drained()).isNotCompleted(); // a follower streams until it is closed

    following.close();
    assertThat(following.following()).isFalse();
  }

  @Test
  void sendsAndQueriesAreAnsweredWhenTheySettleAndDrainedWaitsForThem() throws Exception {
    PeerNode alice = node("alice");
    CommandExecutor executor = new CommandExecutor(alice, new Inbox());
    Started bob = startWithPeer(alice, "bob");
    String bobName = bob.node().nickname();
    Recorder face = new Recorder();
    CommandExecutor.Client client = executor.open(face, false);

    client.line("/send " + bobName + "   spaced out");
    client.line("/send nobody-" + nodes.nick("x") + " hello");
    client.drained().toCompletableFuture().get(10, TimeUnit.SECONDS);

    assertThat(face.replies(Reply.SendOutcome.class))
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.outgoing().state()).isEqualTo(DeliveryState.SENT);
              assertThat(r.outgoing().content()).isEqualTo("  spaced out");
            });
    assertThat(face.replies(Reply.SendFailed.class))
        .singleElement()
        .satisfies(r -> assertThat(r.target()).isEqualTo("nobody-" + nodes.nick("x")));
    await().atMost(WAIT).until(() -> bob.received().contains("  spaced out"));

    client.line("/history " + bobName + " 5");
    client.line("/search spaced");
    client.line("/nick " + nodes.nick("alicia"));
    client.line("/nick " + "x".repeat(500));
    client.line("/nick " + bobName);
    client.drained().toCompletableFuture().get(10, TimeUnit.SECONDS);

    assertThat(face.replies(Reply.History.class))
        .singleElement()
        .satisfies(r -> assertThat(r.messages()).hasSize(1));
    assertThat(face.replies(Reply.Found.class))
        .singleElement()
        .satisfies(r -> assertThat(r.query()).isEqualTo("spaced"));
    assertThat(face.replies(Reply.NicknameChanged.class))
        .containsExactly(new Reply.NicknameChanged(nodes.nick("alice"), nodes.nick("alicia")));
    assertThat(face.replies(Reply.NicknameRefused.class))
        .hasSize(2)
        .last()
        .satisfies(
            r ->
                assertThat(r.reason())
                    .startsWith("'" + bobName + "' is in use by a peer online (" + bobName + "@")
                    .endsWith("); pick another"));
    assertThat(alice.nickname()).isEqualTo(nodes.nick("alicia"));
    assertThat(face.events).isEmpty(); // not following: replies only
  }
}
