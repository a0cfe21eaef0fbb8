package io.parlance.client.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.parlance.client.node.NodeEvent;
import io.parlance.client.node.PeerNode;
import io.parlance.client.testing.TestNodes;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The room commands as a user types them, through the executor, between two real nodes. */
class RoomCommandsTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;

  private final TestNodes nodes = new TestNodes();
  private final List<PeerNode> own = new ArrayList<>();

  @AfterEach
  void stopAll() {
    own.forEach(PeerNode::stop);
    nodes.close();
  }

  private static final class Recorder implements CommandExecutor.Face {
    final List<Reply> replies = new CopyOnWriteArrayList<>();

    @Override
    public void reply(Reply reply) {
      replies.add(reply);
    }

    @Override
    public void event(NodeEvent event) {}

    List<Reply.RoomReply> rooms(String kind) {
      return replies.stream()
          .filter(r -> r instanceof Reply.RoomReply rr && rr.kind().equals(kind))
          .map(Reply.RoomReply.class::cast)
          .toList();
    }

    List<String> failures() {
      return replies.stream()
          .filter(Reply.Failure.class::isInstance)
          .map(r -> ((Reply.Failure) r).message())
          .toList();
    }
  }

  private PeerNode node(String base) throws InterruptedException {
    PeerNode node =
        new PeerNode(nodes.options(nodes.nick(base)).dataDir(dir.resolve(base)).build());
    own.add(node);
    node.start();
    return node;
  }

  @Test
  void createInviteJoinUseSayHistoryMembersSearchAndVotes() throws Exception {
    PeerNode alice = node("alice");
    PeerNode bob = node("bob");
    await()
        .atMost(WAIT)
        .until(
            () ->
                alice.peers().stream().anyMatch(p -> p.nickname().equals(bob.nickname()))
                    && bob.peers().stream().anyMatch(p -> p.nickname().equals(alice.nickname())));
    Recorder a = new Recorder();
    Recorder b = new Recorder();
    CommandExecutor.Client ac = new CommandExecutor(alice, null).open(a, false);
    CommandExecutor.Client bc = new CommandExecutor(bob, null).open(b, false);

    ac.line("/room create lab votes 2");
    await().atMost(WAIT).until(() -> !a.rooms("created").isEmpty());
    await()
        .atMost(WAIT)
        .until(
            () -> {
              ac.line("/room invite lab " + bob.nickname());
              return !a.rooms("invited").isEmpty();
            });
    await()
        .atMost(WAIT)
        .until(
            () -> {
              bc.line("/join lab");
              return !b.rooms("joined").isEmpty();
            });
    bc.line("/room use lab");
    await().atMost(WAIT).until(() -> !b.rooms("using").isEmpty());
    bc.line("hello from a plain line");
    ac.line("/say lab hi bob");
    await()
        .atMost(WAIT)
        .until(
            () -> {
              ac.line("/history #lab");
              List<Reply.RoomReply> h = a.rooms("history");
              return !h.isEmpty() && h.get(h.size() - 1).messages().size() == 2;
            });
    List<Reply.RoomReply> history = a.rooms("history");
    assertThat(history.get(history.size() - 1).messages())
        .extracting(io.parlance.client.store.MessageStore.RoomRow::text)
        .containsExactlyInAnyOrder("hello from a plain line", "hi bob");

    ac.line("/members lab");
    await().atMost(WAIT).until(() -> !a.rooms("members").isEmpty());
    assertThat(a.rooms("members").get(0).members())
        .extracting(io.parlance.client.node.Rooms.MemberInfo::role)
        .containsExactlyInAnyOrder("creator", "member");

    ac.line("/search plain line");
    await().atMost(WAIT).until(() -> !a.rooms("found").isEmpty());
    assertThat(a.rooms("found").get(0).messages()).hasSize(1);

    // bob alone cannot remove alice's other member... he proposes removing nobody valid: refused
    bc.line("/propose lab remove " + alice.nickname());
    bc.line("/room remove lab " + alice.nickname());
    bc.line("/vote lab zzzz");
    bc.line("/join nowhere");
    await().atMost(WAIT).until(() -> b.failures().size() >= 4);
    assertThat(b.failures())
        .anySatisfy(f -> assertThat(f).contains("creator cannot be removed"))
        .anySatisfy(f -> assertThat(f).contains("/propose"))
        .anySatisfy(f -> assertThat(f).contains("no open proposal"))
        .anySatisfy(f -> assertThat(f).contains("no invitation"));
    assertThat(b.failures()).allSatisfy(f -> assertThat(f).doesNotContain("Exception"));
  }

  @Test
  void roomCommandsParse() {
    assertThat(Command.parse("/room create my room votes 3", List.of()))
        .isEqualTo(new Command.RoomCommand("create", "my room", "0,3,3"));
    assertThat(Command.parse("/room create lab", List.of()))
        .isEqualTo(new Command.RoomCommand("create", "lab", "0,0,0"));
    assertThat(Command.parse("/room create lab votes 0", List.of()))
        .isInstanceOf(Command.Invalid.class);
    assertThat(Command.parse("/room create lab invite=votes:2", List.of()))
        .isEqualTo(new Command.RoomCommand("create", "lab", "2,0,0"));
    assertThat(
            Command.parse("/room create big lab promote=mods remove=votes:3 INVITE=5", List.of()))
        .isEqualTo(new Command.RoomCommand("create", "big lab", "5,3,0"));
    assertThat(Command.parse("/room create lab admit=votes:2 votes 4", List.of()))
        .isEqualTo(new Command.RoomCommand("create", "lab", "2,4,4"));
    assertThat(Command.parse("/room create a=b", List.of()))
        .as("a word with = that is no rule is part of the name")
        .isEqualTo(new Command.RoomCommand("create", "a=b", "0,0,0"));
    for (String bad :
        List.of(
            "/room create lab invite=votes:0",
            "/room create lab invite=votes:257",
            "/room create lab invite=everyone",
            "/room create lab invite=votes:",
            "/room create lab invite=votes:2 invite=mods",
            "/room create lab remove=votes:2 votes 3",
            "/room create lab invite=votes:99999999999999999999")) {
      assertThat(Command.parse(bad, List.of()))
          .as(bad)
          .isInstanceOfSatisfying(
              Command.Invalid.class, i -> assertThat(i.message()).contains("invite=R", "votes:N"));
    }
    assertThat(Command.parse("/say lab  two  spaces", List.of()))
        .isEqualTo(new Command.RoomCommand("say", "lab", " two  spaces"));
    assertThat(Command.parse("/history #lab 5", List.of()))
        .isEqualTo(new Command.RoomCommand("history", "lab", "5"));
    assertThat(Command.parse("/history #lab 99999", List.of())).isInstanceOf(Command.Invalid.class);
    assertThat(Command.parse("/vote lab", List.of())).isInstanceOf(Command.Invalid.class);
    assertThat(Command.parse("/propose lab", List.of()))
        .isEqualTo(new Command.RoomCommand("proposals", "lab", ""));
    assertThat(Command.parse("/room frobnicate x", List.of())).isInstanceOf(Command.Invalid.class);
  }
}
