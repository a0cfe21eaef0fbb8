package io.parlance.client.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import io.parlance.bootstrap.BootstrapServer;
import io.parlance.bootstrap.BootstrapServerConfig;
import io.parlance.bootstrap.mailbox.MailboxConfig;
import io.parlance.bootstrap.mailbox.SqliteMailbox;
import io.parlance.client.internet.BootstrapClient;
import io.parlance.client.internet.BootstrapClientOptions;
import io.parlance.client.internet.BootstrapListener;
import io.parlance.client.room.IdentitySigner;
import io.parlance.client.room.RoomEnvelope;
import io.parlance.client.security.Identity;
import io.parlance.client.security.MailSeal;
import io.parlance.client.store.MessageStore;
import io.parlance.client.testing.TestNodes;
import io.parlance.client.testing.TestNodes.Started;
import io.parlance.protocol.bootstrap.MailClientFrame;
import io.parlance.protocol.bootstrap.MailServerFrame;
import io.parlance.protocol.room.RoomLine;
import io.parlance.protocol.room.RoomMessage;
import io.parlance.protocol.room.RoomSigner;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Room messages for a member that is offline go through the bootstrap server's mailbox, sealed to
 * that member and signed by their author inside; the member takes them from there once, in the
 * room's order, and the author's outbox marks them delivered from the mailbox's receipts.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class MailboxRoomsTest {

  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path dir;
  private final TestNodes nodes = new TestNodes();
  private final String aliceName = nodes.nick("alice");
  private final String bobName = nodes.nick("bob");
  private BootstrapServer server;
  private int port;

  @AfterEach
  void stopAll() {
    nodes.close();
    if (server != null) {
      server.stop();
    }
  }

  private void startServer() throws Exception {
    Path file = dir.resolve("server/mailbox.db");
    server =
        BootstrapServer.start(
            BootstrapServerConfig.builder()
                .host("127.0.0.1")
                .port(port)
                .batchInterval(Duration.ofMillis(50))
                .mailbox(MailboxConfig.defaults(() -> SqliteMailbox.open(file)))
                .build());
    port = server.port();
  }

  private Started start(String nickname) throws Exception {
    return nodes.start(
        nodes
            .options(nickname)
            .bindHost("127.0.0.1")
            .lanDiscovery(false)
            .bootstrapServer("ws://127.0.0.1:" + port)
            .maxRetryDelay(Duration.ofSeconds(1))
            .dataDir(dir.resolve(nickname))
            .build());
  }

  private static List<String> texts(Started s, String room) throws Exception {
    return s.node().rooms().history(room, 1000).get(10, TimeUnit.SECONDS).stream()
        .map(MessageStore.RoomRow::text)
        .toList();
  }

  /** Alice makes a room, bob joins, they talk; bob goes offline. Returns the room's id. */
  private String roomThenBobLeaves(Started alice, Started bob) throws Exception {
    await().atMost(WAIT).until(() -> alice.sees(bobName) && bob.sees(aliceName));
    await().atMost(WAIT).until(() -> server.mailbox().stats().keys() == 2);
    String room = alice.node().rooms().create("mailroom").get(10, TimeUnit.SECONDS).id();
    alice.node().rooms().invite(room, alice.node().resolve(bobName)).get(10, TimeUnit.SECONDS);
    await()
        .atMost(WAIT)
        .until(
            () ->
                bob.events(NodeEvent.RoomActivity.class).stream()
                    .anyMatch(e -> e.kind().equals("invited")));
    bob.node().rooms().join(room).get(10, TimeUnit.SECONDS);
    bob.node().rooms().say(room, "bob before").get(10, TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> texts(alice, room).contains("bob before"));
    alice.node().rooms().say(room, "alice before").get(10, TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> texts(bob, room).contains("alice before"));
    bob.node().stop();
    await().atMost(WAIT).until(() -> !alice.sees(bobName));
    return room;
  }

  /** What of alice's messages in the room waits for bob. */
  private static Rooms.Waiting waitingFor(Started alice, String room, String bobId)
      throws Exception {
    return alice.node().rooms().waiting(room).get(10, TimeUnit.SECONDS).stream()
        .filter(w -> w.id().equals(bobId))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void anOfflineMemberGetsTheRoomsMessagesFromTheMailboxOnceInOrderAndTheAuthorSeesThemDelivered()
      throws Exception {
    startServer();
    Started alice = start(aliceName);
    Started bob = start(bobName);
    String bobId = bob.node().identity().id().value();
    String room = roomThenBobLeaves(alice, bob);

    List<String> away = IntStream.range(0, 8).mapToObj(i -> "sealed-room-secret-" + i).toList();
    for (String t : away) {
      alice.node().rooms().say(room, t).get(10, TimeUnit.SECONDS);
    }
    await().atMost(WAIT).until(() -> server.mailbox().stats().messages() >= away.size());
    await().atMost(WAIT).until(() -> waitingFor(alice, room, bobId).deposited() == away.size());
    assertThat(waitingFor(alice, room, bobId).waiting()).isEqualTo(away.size());
    List<Rooms.MemberInfo> members = alice.node().rooms().members(room).get(10, TimeUnit.SECONDS);
    assertThat(members)
        .as("/members tells what is on its way to each member, and what waits in the mailbox")
        .extracting(
            Rooms.MemberInfo::nickname,
            Rooms.MemberInfo::online,
            Rooms.MemberInfo::waiting,
            Rooms.MemberInfo::deposited)
        .containsExactlyInAnyOrder(
            tuple(aliceName, true, 0, 0), tuple(bobName, false, away.size(), away.size()));
    assertThat(alice.events(NodeEvent.Delivery.class))
        .as("room lines are not told as one-to-one deliveries")
        .isEmpty();
    List<String> aliceOrder = texts(alice, room);
    alice.node().stop();

    // The server is restarted; its files hold no room text.
    server.stop();
    try (Stream<Path> files = Files.walk(dir.resolve("server"))) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        String raw = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
        assertThat(raw).as(f.toString()).doesNotContain("sealed-room-secret");
      }
    }
    startServer();

    // Bob comes back while alice is away: only the mailbox can bring him what he missed.
    Started bobAgain = start(bobName);
    await().atMost(WAIT).until(() -> texts(bobAgain, room).containsAll(away));
    assertThat(texts(bobAgain, room)).isEqualTo(aliceOrder).doesNotHaveDuplicates();
    assertThat(
            bobAgain.events(NodeEvent.RoomActivity.class).stream()
                .filter(e -> e.kind().equals("message"))
                .map(NodeEvent.RoomActivity::text)
                .toList())
        .as("each shown once, in the room's order, from alice")
        .isEqualTo(away);
    assertThat(bobAgain.events(NodeEvent.RoomActivity.class))
        .filteredOn(e -> e.kind().equals("message"))
        .allSatisfy(e -> assertThat(e.fromId()).isEqualTo(alice.node().identity().id().value()));
    assertThat(bobAgain.node().history(aliceName, 100).get())
        .as("room lines from the mailbox are not one-to-one messages")
        .isEmpty();
    // his receipts reach the server before he leaves again
    await().atMost(WAIT).until(() -> server.mailbox().stats().notices() >= away.size());
    bobAgain.node().stop();

    // Alice, back while bob is away, learns from the receipts that he has them.
    Started aliceAgain = start(aliceName);
    await().atMost(WAIT).until(() -> waitingFor(aliceAgain, room, bobId).waiting() == 0);
  }

  @Test
  void aRoomMessageFromTheMailboxThatAlsoArrivesDirectlyAndBySyncIsShownOnce() throws Exception {
    startServer();
    Started alice = start(aliceName);
    Started bob = start(bobName);
    String bobId = bob.node().identity().id().value();
    String room = roomThenBobLeaves(alice, bob);
    List<String> away = IntStream.range(0, 5).mapToObj(i -> "twice-" + i).toList();
    for (String t : away) {
      alice.node().rooms().say(room, t).get(10, TimeUnit.SECONDS);
    }
    await().atMost(WAIT).until(() -> waitingFor(alice, room, bobId).deposited() == away.size());

    // Bob returns with alice online: mail, her outbox's direct resend and his sync all race.
    Started bobAgain = start(bobName);
    await().atMost(WAIT).until(() -> texts(bobAgain, room).containsAll(away));
    await().atMost(WAIT).until(() -> waitingFor(alice, room, bobId).waiting() == 0);
    await().atMost(WAIT).until(() -> server.mailbox().stats().messages() == 0);
    assertThat(texts(bobAgain, room)).isEqualTo(texts(alice, room)).doesNotHaveDuplicates();
    assertThat(
            bobAgain.events(NodeEvent.RoomActivity.class).stream()
                .filter(e -> e.kind().equals("message"))
                .map(NodeEvent.RoomActivity::text)
                .toList())
        .isEqualTo(away);
  }

  @Test
  void roomLinesInTheMailboxFromANonMemberOrInAMembersNameAreRefusedAndTheRestStillArrives()
      throws Exception {
    startServer();
    Started alice = start(aliceName);
    Started bob = start(bobName);
    String bobId = bob.node().identity().id().value();
    String room = roomThenBobLeaves(alice, bob);

    // eve, registered with a proven key but in no room, deposits room lines sealed to bob
    Identity eve = Identity.loadOrCreate(dir.resolve("eve"));
    BootstrapClient eveClient =
        BootstrapClient.start(
            BootstrapClientOptions.builder("ws://127.0.0.1:" + port, nodes.nick("eve"), 9)
                .identity(eve)
                .caps(List.of("tls", "ack", "mail"))
                .build(),
            new BootstrapListener() {});
    try {
      await().atMost(WAIT).until(eveClient::isRegistered);
      MailServerFrame.MailKey bobKey =
          (MailServerFrame.MailKey)
              eveClient
                  .request(id -> new MailClientFrame.KeyLookup(bobId, id))
                  .get(10, TimeUnit.SECONDS);
      Identity aliceIdentity = alice.node().identity();
      RoomSigner eveAsAlice =
          new RoomSigner() {
            @Override
            public String id() {
              return aliceIdentity.id().value();
            }

            @Override
            public String key() {
              return aliceIdentity.encodedPublicKey();
            }

            @Override
            public byte[] sign(byte[] data) {
              return eve.sign(data);
            }
          };
      List<RoomMessage> forged =
          List.of(
              RoomMessage.create(room, 1, 1_000, "eve-forged-own", new IdentitySigner(eve)),
              RoomMessage.create(room, 99, 1_000, "eve-forged-as-alice", eveAsAlice));
      int n = 0;
      for (RoomMessage m : forged) {
        String msg = "forged-" + n++;
        byte[] sealed =
            MailSeal.seal(
                eve,
                "eve",
                bobId,
                bobKey.mailKey(),
                msg,
                System.currentTimeMillis() / 1000,
                RoomEnvelope.wrap(new RoomLine.Post(m)));
        eveClient
            .request(
                id ->
                    new MailClientFrame.Deposit(
                        eve.id().value(),
                        bobId,
                        bobKey.mailKey(),
                        msg,
                        Base64.getEncoder().encodeToString(sealed),
                        id))
            .get(10, TimeUnit.SECONDS);
      }
    } finally {
      eveClient.close();
    }
    alice.node().rooms().say(room, "the real one").get(10, TimeUnit.SECONDS);
    await().atMost(WAIT).until(() -> waitingFor(alice, room, bobId).deposited() == 1);
    alice.node().stop();

    Started bobAgain = start(bobName);
    await().atMost(WAIT).until(() -> texts(bobAgain, room).contains("the real one"));
    await()
        .atMost(WAIT)
        .until(
            () ->
                bobAgain.events(NodeEvent.RoomActivity.class).stream()
                        .filter(e -> e.kind().equals("refused"))
                        .filter(e -> e.text().contains("not a member"))
                        .count()
                    == 2);
    assertThat(texts(bobAgain, room))
        .doesNotContain("eve-forged-own", "eve-forged-as-alice")
        .endsWith("the real one");
    assertThat(bobAgain.events(NodeEvent.RoomActivity.class))
        .filteredOn(e -> e.kind().equals("message"))
        .extracting(NodeEvent.RoomActivity::text)
        .containsExactly("the real one");
    // refused lines are acknowledged all the same (sending them again would not help)
    await().atMost(WAIT).until(() -> server.mailbox().stats().messages() == 0);
  }
}
