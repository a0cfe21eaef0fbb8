package io.parlance.client.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.parlance.client.control.ControlServer;
import io.parlance.client.node.NodeEvent;
import io.parlance.client.profile.Profile;
import io.parlance.client.testing.TestNodes;
import io.parlance.client.testing.TestNodes.Started;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The {@code parlance room} subcommands against daemons in process on loopback, as a script runs
 * them: their output, their errors and exit codes, and room lines in {@code inbox --follow}.
 */
class DaemonRoomsTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private final TestNodes nodes = new TestNodes();
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
    nodes.close();
  }

  private record Run(int code, String out, String err) {}

  /** Runs {@code parlance ARGS} for the profile in {@code dir/base}. */
  private Run run(String base, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cmd = command(out, err);
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--data-dir");
    all.add(dir.resolve(base).toString());
    int code = cmd.execute(all.toArray(String[]::new));
    return new Run(code, out.toString(), err.toString());
  }

  private static CommandLine command(StringWriter out, StringWriter err) {
    ParlanceCommand command = new ParlanceCommand();
    command.environment = Map.of();
    CommandLine cmd = Main.commandLine(command);
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(err, true));
    return cmd;
  }

  /** Runs until it exits 0 (an invitation waits for the peer's signed announce). */
  private Run runUntilDone(String base, String... args) {
    Run[] last = new Run[1];
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              last[0] = run(base, args);
              return last[0].code() == 0;
            });
    return last[0];
  }

  private Daemon daemon(String base) throws Exception {
    Daemon d =
        Daemon.start(
            nodes.options(nodes.nick(base)).build(),
            Profile.resolve(null, dir.resolve(base), Map.of()),
            ControlServer.Limits.DEFAULTS);
    open.add(d);
    return d;
  }

  private static boolean sees(Daemon a, String nickname) {
    return a.node().peers().stream().anyMatch(p -> p.nickname().equals(nickname));
  }

  @Test
  void roomSubcommandsCreateInviteJoinSayAndReadAsTheChatDoes() throws Exception {
    Daemon alice = daemon("alice");
    Daemon bob = daemon("bob");
    String aliceName = alice.node().nickname();
    String bobName = bob.node().nickname();
    await().atMost(WAIT).until(() -> sees(alice, bobName) && sees(bob, aliceName));

    Run created = run("alice", "room", "create", "lab");
    assertThat(created.code()).as(created.err()).isZero();
    String id = created.out().strip();
    assertThat(id).as("the room's id, alone on its line").matches("[A-Za-z0-9_-]{16,}");
    assertThat(run("alice", "room", "list").out())
        .containsPattern("(?m)^room +id +version +members +status$")
        .containsPattern("(?m)^lab +" + id.substring(0, 8) + " +1 +1 +member$");

    Run invited = runUntilDone("alice", "room", "invite", "lab", bobName);
    assertThat(invited.out()).contains("Invited " + bobName + " to 'lab'");

    await()
        .atMost(WAIT)
        .until(() -> run("bob", "room", "list").out().contains("invited: parlance room join"));
    assertThat(run("bob", "room", "list").out())
        .containsPattern(
            "(?m)^lab +"
                + id.substring(0, 8)
                + " +2 +2 +invited: parlance room join "
                + id.substring(0, 8)
                + "$");
    Run joined = run("bob", "room", "join", id.substring(0, 8));
    assertThat(joined.code()).as(joined.err()).isZero();
    assertThat(joined.out()).contains("Joined room 'lab' (2 members)");

    // alice follows her inbox from the shell; bob's room message shows there, neutralised
    StringWriter followed = new StringWriter();
    CommandLine follower = command(followed, new StringWriter());
    CompletableFuture<Integer> following =
        CompletableFuture.supplyAsync(
            () ->
                follower.execute(
                    "inbox", "--follow", "--data-dir", dir.resolve("alice").toString()));
    await().atMost(WAIT).until(() -> alice.control().connectionCount() == 1);
    // the follower may not follow yet: bob pings until one of his lines shows there
    await()
        .atMost(WAIT)
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              run("bob", "room", "say", "lab", "ping");
              return followed.toString().contains("#lab " + bobName + ": ping");
            });

    Run said = run("bob", "room", "say", "lab", "hello\u001b[2J", "room");
    assertThat(said.code()).as(said.err()).isZero();
    String saidId = said.out().strip();
    assertThat(saidId).as("the message's id, alone on its line").matches("[a-z2-7]{26}");
    await()
        .atMost(WAIT)
        .until(() -> run("alice", "room", "history", "lab").out().contains(": hello"));
    Run history = run("alice", "room", "history", "lab", "5");
    assertThat(history.out())
        .containsPattern("(?m)^\\[\\d\\d:\\d\\d:\\d\\d\\] " + bobName + ": hello.*room$")
        .doesNotContain("\u001b");
    await().atMost(WAIT).until(() -> followed.toString().contains("#lab " + bobName + ": hello"));
    assertThat(followed.toString()).doesNotContain("\u001b");

    Run found = run("alice", "search", "hello");
    assertThat(found.code()).as(found.err()).isZero();
    assertThat(found.out())
        .as("parlance search finds room messages too, after the one-to-one ones")
        .containsPattern("(?m)^\\[[-0-9 :]+\\] #lab " + bobName + ": hello.*room$")
        .doesNotContain("\u001b");
    JsonNode foundJson = JSON.readTree(run("alice", "search", "hello", "--json").out());
    assertThat(foundJson.path("room").asText()).isEqualTo(id);
    assertThat(foundJson.path("room_name").asText()).isEqualTo("lab");
    assertThat(foundJson.path("text").asText()).isEqualTo("hello\u001b[2J room");

    Run members = run("alice", "room", "members", "lab", "--json");
    JsonNode answer = JSON.readTree(members.out());
    assertThat(answer.path("event").asText()).isEqualTo("room_members");
    assertThat(answer.path("members").findValuesAsText("role"))
        .containsExactlyInAnyOrder("creator", "member");
    assertThat(answer.path("members").findValuesAsText("nickname"))
        .containsExactlyInAnyOrder(aliceName, bobName);
    assertThat(answer.path("members"))
        .as("alice wrote nothing in the room: nothing of hers waits for anyone")
        .allSatisfy(
            m -> {
              assertThat(m.path("waiting").isInt()).as(m.toString()).isTrue();
              assertThat(m.path("waiting").asInt()).isZero();
              assertThat(m.path("deposited").isInt()).as(m.toString()).isTrue();
              assertThat(m.path("deposited").asInt()).isZero();
            });
    assertThat(run("alice", "room", "members", "lab").out())
        .containsPattern("(?m)^nickname +role +id +online +waiting$")
        .containsPattern("(?m)^" + bobName + " +member +\\S+ +online, verified +0$");
    String historyJson = run("alice", "--json", "room", "history", "lab").out();
    assertThat(historyJson)
        .as("--json before the command name, and control characters escaped")
        .contains("\"text\":\"hello\\u001B[2J room\"");
    JsonNode hello = null;
    for (JsonNode m : JSON.readTree(historyJson).path("messages")) {
      if (m.path("id").asText().equals(saidId)) {
        hello = m;
      }
    }
    assertThat(hello).as("the id 'room say' printed is the one alice has it by").isNotNull();
    assertThat(hello.path("text").asText()).isEqualTo("hello\u001b[2J room");
    JsonNode saidJson = JSON.readTree(run("bob", "room", "say", "lab", "again", "--json").out());
    assertThat(saidJson.path("event").asText()).isEqualTo("room_said");
    assertThat(saidJson.path("room").asText()).isEqualTo("lab");
    assertThat(saidJson.path("message_id").asText()).matches("[a-z2-7]{26}").isNotEqualTo(saidId);
    assertThat(saidJson.path("clock").asLong())
        .as("later in the room's order than the message before it")
        .isGreaterThan(hello.path("clock").asLong());

    // errors: one line, what to do, exit 1; a usage error exits 2
    Run unknown = run("alice", "room", "say", "nowhere", "hi");
    assertThat(unknown.code()).isEqualTo(1);
    assertThat(unknown.err())
        .isEqualTo(
            "parlance: you are in no room 'nowhere'; 'parlance room list' lists yours"
                + System.lineSeparator());
    Run notAllowed = run("bob", "room", "invite", "lab", aliceName);
    assertThat(notAllowed.code()).isEqualTo(1);
    assertThat(notAllowed.err())
        .contains("only the creator or a moderator may invite")
        .contains("'parlance room propose'")
        .doesNotContain("Exception");
    assertThat(run("alice", "room", "say", "lab").code()).isEqualTo(2);
    assertThat(run("alice", "room", "create", "lab", "invite=everyone").err()).contains("invite=R");
    Run noDaemon = run("carol", "room", "list");
    assertThat(noDaemon.code()).isEqualTo(1);
    assertThat(noDaemon.err()).startsWith("parlance: no parlance daemon is running for");

    // a removed member is told, and its writes are refused
    assertThat(run("alice", "room", "remove", "lab", bobName).code()).isZero();
    await().atMost(WAIT).until(() -> run("bob", "room", "say", "lab", "still here?").code() == 1);
    assertThat(run("bob", "room", "say", "lab", "still here?").err())
        .contains("you are no longer a member of room 'lab'");

    alice.close();
    assertThat(following.get(10, TimeUnit.SECONDS)).isZero();
  }

  @Test
  void theMembersTableShowsWhatWaitsForEachMemberAndHowMuchOfItIsInTheMailbox() throws Exception {
    JsonNode answer =
        JSON.readTree(
            "{\"event\":\"room_members\",\"room\":\"lab\",\"members\":["
                + "{\"id\":\"aaaaaaaaaaaa\",\"nickname\":\"alice\",\"role\":\"creator\","
                + "\"online\":true,\"waiting\":0,\"deposited\":0},"
                + "{\"id\":\"bbbbbbbbbbbb\",\"nickname\":\"bob\",\"role\":\"member\","
                + "\"online\":false,\"waiting\":3,\"deposited\":2},"
                + "{\"id\":\"cccccccccccc\",\"nickname\":\"carol\",\"role\":\"member\","
                + "\"online\":true,\"waiting\":1,\"deposited\":0}]}");
    StringWriter text = new StringWriter();
    PrintWriter out = new PrintWriter(text);
    new RoomsCommand.Members().print(answer, out);
    out.flush();
    assertThat(text.toString().lines())
        .containsExactly(
            "nickname  role     id        online            waiting",
            "alice     creator  aaaaaaaa  online, verified  0",
            "bob       member   bbbbbbbb  away              3 (2 in the mailbox)",
            "carol     member   cccccccc  online, verified  1");
  }

  @Test
  void badArgumentsAreUsageErrorsSaidBeforeAnyDaemonIsAsked() {
    StringWriter err = new StringWriter();
    assertThat(command(new StringWriter(), err).execute("room")).isEqualTo(2);
    assertThat(err.toString()).contains("name a room command: create, invite");
    Run twoLines = run("nobody", "room", "say", "lab", "one\n/room remove lab bob");
    assertThat(twoLines.code()).isEqualTo(2);
    assertThat(twoLines.err()).contains("cannot contain line breaks");
    Run notARule = run("nobody", "room", "create", "lab", "everyone");
    assertThat(notARule.code()).isEqualTo(2);
    assertThat(notARule.err()).contains("'everyone' is not a rule");
    Run spaces = run("nobody", "room", "join", "my lab");
    assertThat(spaces.code()).isEqualTo(2);
    assertThat(spaces.err()).contains("ROOM must be one word");
    Run tooMany = run("nobody", "room", "history", "lab", "5000");
    assertThat(tooMany.code()).isEqualTo(2);
    assertThat(tooMany.err()).contains("N must be from 1 to 1000");
    assertThat(run("nobody", "room", "propose", "lab", "remove").err())
        .contains("name the PEER to remove");
    // an id may start with '-' (base64url): it is the id, not an unknown option, so the command
    // gets as far as asking the daemon (there is none: 1, not a usage error)
    Run dashId = run("nobody", "room", "vote", "lab", "-Ab3xYz9");
    assertThat(dashId.code()).as(dashId.err()).isEqualTo(1);
    assertThat(dashId.err()).contains("no parlance daemon is running");
  }

  @Test
  void aRoomCreatedWithVotedAdmissionAdmitsAPeerAtTheThresholdAndNotBefore() throws Exception {
    Daemon alice = daemon("alice");
    Daemon bob = daemon("bob");
    Daemon carol = daemon("carol");
    Started dave = nodes.start(nodes.nick("dave"));
    String daveName = dave.node().nickname();
    await()
        .atMost(WAIT)
        .until(
            () ->
                sees(alice, bob.node().nickname())
                    && sees(alice, carol.node().nickname())
                    && sees(bob, carol.node().nickname())
                    && sees(carol, bob.node().nickname())
                    && sees(bob, daveName)
                    && sees(carol, daveName));

    Run created = run("alice", "room", "create", "council", "invite=votes:2", "--json");
    assertThat(created.code()).as(created.err()).isZero();
    JsonNode room = JSON.readTree(created.out());
    assertThat(room.path("message").asText()).contains("admitting a member takes 2 votes");
    String id = room.path("id").asText();
    for (Daemon d : List.of(bob, carol)) {
      runUntilDone("alice", "room", "invite", id, d.node().nickname());
      String base = d == bob ? "bob" : "carol";
      await().atMost(WAIT).until(() -> run(base, "room", "join", id.substring(0, 8)).code() == 0);
    }
    await()
        .atMost(WAIT)
        .until(
            () ->
                run("bob", "room", "members", "council").out().lines().count() == 4
                    && run("carol", "room", "members", "council").out().lines().count() == 4);

    // bob may not admit dave alone: he proposes it, with his vote
    Run alone = run("bob", "room", "invite", "council", daveName);
    assertThat(alone.code()).isEqualTo(1);
    assertThat(alone.err()).contains("invite needs 2 votes");
    Run proposed = runUntilDone("bob", "room", "propose", "council", "invite", daveName);
    assertThat(proposed.out()).containsPattern("admitted " + daveName + " +1/2");
    String proposal = proposed.out().lines().skip(1).findFirst().orElseThrow().substring(0, 8);

    // carol sees it open with one vote; dave has nothing yet
    await()
        .atMost(WAIT)
        .until(() -> run("carol", "room", "propose", "council").out().contains(proposal));
    assertThat(run("carol", "room", "propose", "council").out())
        .containsPattern(proposal + " +admitted " + daveName + " +1/2");
    assertThat(dave.events(NodeEvent.RoomActivity.class))
        .noneMatch(e -> e.kind().equals("invited"));
    assertThat(run("bob", "room", "members", "council").out()).doesNotContain(daveName);

    // carol's vote is the second: it passes, dave is invited and joins
    Run voted = run("carol", "room", "vote", "council", proposal);
    assertThat(voted.code()).as(voted.err()).isZero();
    assertThat(voted.out()).containsPattern(proposal + " +admitted " + daveName + " +passed");
    await()
        .atMost(WAIT)
        .until(
            () ->
                dave.events(NodeEvent.RoomActivity.class).stream()
                    .anyMatch(e -> e.kind().equals("invited") && e.room().equals(id)));
    dave.node().rooms().join(id).get(10, TimeUnit.SECONDS);
    await()
        .atMost(WAIT)
        .until(() -> run("alice", "room", "members", "council").out().contains(daveName));
    dave.node().rooms().say(id, "thanks for the votes").get(10, TimeUnit.SECONDS);
    await()
        .atMost(WAIT)
        .until(
            () -> run("bob", "room", "history", "council").out().contains("thanks for the votes"));
  }
}
