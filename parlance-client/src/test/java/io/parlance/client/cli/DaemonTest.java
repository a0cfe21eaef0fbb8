package io.parlance.client.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.parlance.client.control.ControlClient;
import io.parlance.client.control.ControlServer;
import io.parlance.client.node.NodeEvent;
import io.parlance.client.peer.PeerDirectory;
import io.parlance.client.profile.Profile;
import io.parlance.client.profile.ProfileInUseException;
import io.parlance.client.testing.TestNodes;
import io.parlance.client.testing.TestNodes.Started;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A daemon in process on loopback, driven through its control socket as scripts do. */
class DaemonTest {

  private static final Duration WAIT = Duration.ofSeconds(10);
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

  private Profile profile(String name) {
    return Profile.resolve(null, dir.resolve(name), Map.of());
  }

  private Daemon daemon(String base, ControlServer.Limits limits) throws Exception {
    Daemon d = Daemon.start(nodes.options(nodes.nick(base)).build(), profile(base), limits);
    open.add(d);
    return d;
  }

  private ControlClient client(Daemon d) throws IOException {
    ControlClient c = ControlClient.connect(d.control().socketFile());
    c.closeAfter(WAIT);
    open.add(c);
    return c;
  }

  private static JsonNode next(ControlClient c) throws IOException {
    String line = c.readLine();
    assertThat(line).as("a line from the daemon").isNotNull();
    return JSON.readTree(line);
  }

  /** Reads until an event of the given name, skipping others (peer joins, ...). */
  private static JsonNode until(ControlClient c, String event) throws IOException {
    while (true) {
      JsonNode e = next(c);
      if (e.path("event").asText().equals(event)) {
        return e;
      }
    }
  }

  private Started peerSeenBy(Daemon a, String base) throws InterruptedException {
    Started b = nodes.start(nodes.nick(base));
    await()
        .atMost(WAIT)
        .until(
            () ->
                b.sees(a.node().nickname())
                    && a.node().peers().stream()
                        .anyMatch(p -> p.nickname().equals(b.node().nickname())));
    return b;
  }

  @Test
  void commandsAreAnsweredOnTheConnectionThatSentThem() throws Exception {
    Daemon alice = daemon("alice", ControlServer.Limits.DEFAULTS);
    Started bob = peerSeenBy(alice, "bob");
    ControlClient one = client(alice);
    ControlClient two = client(alice);

    one.send("/peers");
    JsonNode peers = next(one);
    assertThat(peers.path("event").asText()).isEqualTo("peers");
    assertThat(peers.path("peers").get(0).path("nickname").asText())
        .isEqualTo(bob.node().nickname());

    one.send("/send " + bob.node().nickname() + " hello bob");
    JsonNode sent = next(one);
    assertThat(sent.path("event").asText()).isEqualTo("sent");
    assertThat(sent.path("to").asText()).isEqualTo(bob.node().nickname());
    TestNodes.assertLoopback(sent.path("address").asText(), bob.node().tcpPort());
    await().atMost(WAIT).until(() -> bob.received().contains("hello bob"));

    one.send("/send nobody-" + nodes.nick("x") + " are you there");
    JsonNode error = next(one);
    assertThat(error.path("event").asText()).isEqualTo("error");
    assertThat(error.path("reason").asText()).isEqualTo("unknown_peer");
    assertThat(error.path("to").asText()).isEqualTo("nobody-" + nodes.nick("x"));

    one.send("/help");
    assertThat(next(one).path("commands").toString()).contains("/inbox", "/follow");
    one.send("/dance");
    assertThat(next(one).path("message").asText()).contains("unknown command /dance");

    // The other connection heard none of that: its first line answers its own command.
    two.send("/peers");
    assertThat(next(two).path("event").asText()).isEqualTo("peers");
  }

  @Test
  void inboxListsReceivedMessagesAndFollowStreamsNewOnes() throws Exception {
    Daemon alice = daemon("alice", ControlServer.Limits.DEFAULTS);
    Started bob = peerSeenBy(alice, "bob");
    String me = alice.node().nickname();
    bob.node().send(me, "one").get(5, TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> alice.json().inbox().size() == 1);

    ControlClient reader = client(alice);
    reader.send("/inbox");
    JsonNode inbox = next(reader);
    assertThat(inbox.path("event").asText()).isEqualTo("inbox");
    JsonNode first = inbox.path("messages").get(0);
    assertThat(first.path("from").asText()).isEqualTo(bob.node().nickname());
    assertThat(first.path("content").asText()).isEqualTo("one");
    TestNodes.assertLoopback(first.path("address").asText(), bob.node().tcpPort());
    assertThat(first.path("timestamp").asLong()).isPositive();

    ControlClient follower = client(alice);
    follower.send("/follow");
    assertThat(next(follower).path("event").asText()).isEqualTo("following");

    bob.node().send(me, "two").get(5, TimeUnit.SECONDS);

    JsonNode streamed = until(follower, "message");
    assertThat(streamed.path("content").asText()).isEqualTo("two");
    reader.send("/peers");
    assertThat(next(reader).path("event").asText()).as("not following").isEqualTo("peers");

    ControlClient both = client(alice);
    both.send("/follow inbox");
    assertThat(next(both).path("event").asText()).isEqualTo("following");
    JsonNode history = next(both);
    assertThat(history.path("messages").findValuesAsText("content")).containsExactly("one", "two");
    bob.node().send(me, "three").get(5, TimeUnit.SECONDS);
    assertThat(until(both, "message").path("content").asText()).isEqualTo("three");
  }

  @Test
  void inboxFollowAndTheControlSocketShowAManInTheMiddle() throws Exception {
    Daemon alice = daemon("alice", ControlServer.Limits.DEFAULTS);
    Started bob = peerSeenBy(alice, "bob");
    java.io.StringWriter out = new java.io.StringWriter();
    ParlanceCommand command = new ParlanceCommand();
    command.environment = Map.of();
    picocli.CommandLine cmd = Main.commandLine(command);
    cmd.setOut(new java.io.PrintWriter(out, true));
    cmd.setErr(new java.io.PrintWriter(new java.io.StringWriter(), true));
    CompletableFuture<Integer> follower =
        CompletableFuture.supplyAsync(
            () -> cmd.execute("inbox", "--follow", "--data-dir", dir.resolve("alice").toString()));
    await().atMost(WAIT).until(() -> alice.control().connectionCount() == 1);
    ControlClient socket = client(alice);
    socket.send("/follow");
    assertThat(next(socket).path("event").asText()).isEqualTo("following");
    socket.answered();

    io.parlance.client.security.Identity mallory = io.parlance.client.security.Identity.generate();
    io.netty.channel.EventLoopGroup loop = new io.netty.channel.nio.NioEventLoopGroup(1);
    io.parlance.client.messaging.MessageServer impostor =
        new io.parlance.client.messaging.MessageServer(
            new java.net.InetSocketAddress("127.0.0.1", 0),
            m -> io.parlance.client.messaging.InboundSink.Outcome.NOTHING.now(),
            8,
            65536,
            1000,
            Duration.ofMinutes(1),
            new io.parlance.client.messaging.PeerTls.Contexts(
                io.parlance.client.security.TlsContexts.server(mallory),
                io.parlance.client.security.TlsContexts.client(mallory),
                false));
    try {
      java.net.InetSocketAddress at = impostor.start(loop);
      io.parlance.client.peer.Peer realBob = alice.node().resolve(bob.node().nickname());
      alice
          .node()
          .directory()
          .upsert(
              new io.parlance.client.peer.Peer(
                  realBob.nickname(),
                  at,
                  io.parlance.client.peer.Peer.LAN,
                  realBob.id(),
                  java.util.Set.of("tls", "ack")));
      socket.send("/send 127.0.0.1:" + at.getPort() + " for bob only");

      JsonNode event = until(socket, "identity_mismatch");
      assertThat(event.path("id").asText()).isEqualTo(realBob.id().value());
      assertThat(event.path("message").asText()).contains(mallory.id().toString());
      await()
          .atMost(WAIT)
          .until(() -> out.toString().contains("! SECURITY WARNING: connecting to"));
      assertThat(out.toString()).contains(mallory.id().toString());
      assertThat(follower).isNotDone();
    } finally {
      impostor.close(Duration.ofSeconds(1));
      loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
    alice.close();
    assertThat(follower.get(10, TimeUnit.SECONDS)).isZero();
  }

  @Test
  void inboxFollowKeepsPrintingWhenAnotherClientsSendFailsAndStopsWithTheDaemon() throws Exception {
    Daemon alice = daemon("alice", ControlServer.Limits.DEFAULTS);
    Started bob = peerSeenBy(alice, "bob");
    java.io.StringWriter out = new java.io.StringWriter();
    java.io.StringWriter err = new java.io.StringWriter();
    ParlanceCommand command = new ParlanceCommand();
    command.environment = Map.of();
    picocli.CommandLine cmd = Main.commandLine(command);
    cmd.setOut(new java.io.PrintWriter(out, true));
    cmd.setErr(new java.io.PrintWriter(err, true));
    CompletableFuture<Integer> follower =
        CompletableFuture.supplyAsync(
            () -> cmd.execute("inbox", "--follow", "--data-dir", dir.resolve("alice").toString()));
    await().atMost(WAIT).until(() -> alice.control().connectionCount() == 1);
    ControlClient other = client(alice);
    other.send("/follow");
    assertThat(next(other).path("event").asText()).isEqualTo("following");

    other.send("/send nobody-here hello");
    assertThat(until(other, "error").path("message").asText()).contains("nobody-here");
    bob.node().send(alice.node().nickname(), "after the failure").get(5, TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> out.toString().contains("after the failure"));
    assertThat(follower).isNotDone();

    alice.close();
    assertThat(follower.get(10, TimeUnit.SECONDS)).isZero();
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void aFollowerThatDoesNotReadIsDroppedWhileTheNodeAndOtherFollowersGoOn() throws Exception {
    // Alice reads bob's lines at 1,000 a second (the listener slows a faster sender), so the
    // reading follower keeps up however busy the machine; the stuck one still fills its queue.
    Daemon alice =
        Daemon.start(
            nodes.options(nodes.nick("alice")).maxLinesPerSecond(1_000).build(),
            profile("alice"),
            new ControlServer.Limits(4, 64 * 1024, 128, 256_000));
    open.add(alice);
    // Bob keeps few messages unacknowledged, so Alice stores and shows them in bursts (one per
    // store transaction) much smaller than a client's queue.
    Started bob = nodes.start(nodes.options(nodes.nick("bob")).deliveryWindow(16).build());
    await()
        .atMost(WAIT)
        .until(
            () ->
                bob.sees(alice.node().nickname())
                    && alice.node().peers().stream()
                        .anyMatch(p -> p.nickname().equals(bob.node().nickname())));
    ControlClient good = client(alice);
    good.send("/follow");
    assertThat(next(good).path("event").asText()).isEqualTo("following");
    good.answered(); // 800 messages may take longer than the wait for the first answer

    try (SocketChannel stuck =
        SocketChannel.open(UnixDomainSocketAddress.of(alice.control().socketFile()))) {
      stuck.write(ByteBuffer.wrap("/follow\n".getBytes(StandardCharsets.UTF_8)));
      await().atMost(WAIT).until(() -> alice.control().connectionCount() == 2);

      // About 1.6 MB of events: more than the stuck client's socket buffer and queue hold.
      String padding = "p".repeat(2000);
      List<CompletableFuture<?>> sends = new ArrayList<>();
      for (int i = 0; i < 800; i++) {
        sends.add(bob.node().send(alice.node().nickname(), i + " " + padding));
      }

      // Read while they arrive: a send completes when written, which waits for the window.
      int received = 0;
      while (received < 800) {
        JsonNode e = until(good, "message");
        assertThat(e.path("content").asText()).startsWith(received + " ");
        received++;
      }
      CompletableFuture.allOf(sends.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
      await().atMost(WAIT).until(() -> alice.control().droppedConnections() == 1);
      await().atMost(WAIT).until(() -> alice.control().connectionCount() == 1);
      assertThat(alice.json().inbox().size()).isEqualTo(800);
      good.send("/peers");
      assertThat(until(good, "peers").path("peers").size()).isEqualTo(1);
    }
  }

  @Test
  void aSecondDaemonOnTheSameProfileIsRefusedAndTheFirstGoesOn() throws Exception {
    Daemon alice = daemon("alice", ControlServer.Limits.DEFAULTS);

    assertThatThrownBy(
            () ->
                Daemon.start(
                    nodes.options(nodes.nick("again")).build(),
                    profile("alice"),
                    ControlServer.Limits.DEFAULTS))
        .isInstanceOf(ProfileInUseException.class)
        .hasMessage(
            "data directory '"
                + dir.resolve("alice")
                + "' is already in use by another parlance (pid "
                + ProcessHandle.current().pid()
                + ")");

    ControlClient c = client(alice);
    c.send("/peers");
    assertThat(next(c).path("event").asText()).isEqualTo("peers");
  }

  @Test
  void closingSaysGoodbyeTellsFollowersAndRemovesTheSocket() throws Exception {
    Daemon alice = daemon("alice", ControlServer.Limits.DEFAULTS);
    Started bob = peerSeenBy(alice, "bob");
    ControlClient follower = client(alice);
    follower.send("/follow");
    assertThat(next(follower).path("event").asText()).isEqualTo("following");
    Path socket = alice.control().socketFile();

    alice.close();

    assertThat(until(follower, "stopped")).isNotNull();
    assertThat(follower.readLine()).isNull();
    assertThat(socket).doesNotExist();
    await()
        .atMost(WAIT)
        .until(
            () ->
                bob.events(NodeEvent.PeerLeft.class).stream()
                    .anyMatch(
                        e ->
                            e.peer().nickname().equals(nodes.nick("alice"))
                                && e.reason() == PeerDirectory.LeaveReason.GOODBYE));
    // The profile is free again.
    Daemon again = daemon("alice", ControlServer.Limits.DEFAULTS);
    assertThat(StreamSupport.stream(List.of(again.control().socketFile()).spliterator(), false))
        .containsExactly(socket);
  }

  @Test
  void historyAndSearchAreAnsweredFromTheStoreAndASendToAPeerAwayIsQueued() throws Exception {
    Daemon alice = daemon("alice", ControlServer.Limits.DEFAULTS);
    Started bob = peerSeenBy(alice, "bob");
    String bobName = bob.node().nickname();
    ControlClient c = client(alice);

    c.send("/send " + bobName + " hello bob, about the café");
    JsonNode sent = next(c);
    assertThat(sent.path("event").asText()).isEqualTo("sent");
    String id = sent.path("id").asText();
    await().atMost(WAIT).until(() -> bob.received().size() == 1);
    bob.node().send(alice.node().nickname(), "hi alice").get(5, TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> alice.json().inbox().size() == 1);

    bob.node().stop();
    await().atMost(WAIT).until(() -> alice.node().peers().isEmpty());
    c.send("/send " + bobName + " are you back?");
    JsonNode queued = next(c);
    assertThat(queued.path("event").asText()).isEqualTo("queued");
    assertThat(queued.path("to").asText()).isEqualTo(bobName);
    assertThat(queued.path("reason").asText()).contains("not online");

    c.send("/history " + bobName + " 10");
    JsonNode history = next(c);
    assertThat(history.path("event").asText()).isEqualTo("history");
    assertThat(history.path("messages").findValuesAsText("content"))
        .containsExactly("hello bob, about the café", "hi alice", "are you back?");
    JsonNode first = history.path("messages").get(0);
    assertThat(first.path("id").asText()).isEqualTo(id);
    assertThat(first.path("direction").asText()).isEqualTo("out");
    assertThat(first.path("state").asText()).isEqualTo("delivered");
    assertThat(history.path("messages").get(2).path("state").asText()).isEqualTo("queued");

    c.send("/search café");
    JsonNode found = next(c);
    assertThat(found.path("event").asText()).isEqualTo("search");
    assertThat(found.path("messages").findValuesAsText("id")).containsExactly(id);

    // The same store read from the shell while the daemon runs.
    java.io.StringWriter out = new java.io.StringWriter();
    ParlanceCommand command = new ParlanceCommand();
    command.environment = Map.of();
    picocli.CommandLine cmd = Main.commandLine(command);
    cmd.setOut(new java.io.PrintWriter(out));
    assertThat(
            cmd.execute(
                "history", "--data-dir", dir.resolve("alice").toString(), "--json", bobName))
        .isZero();
    assertThat(out.toString().lines().map(l -> l.contains("are you back?")).toList())
        .containsExactly(false, false, true);
  }
}
