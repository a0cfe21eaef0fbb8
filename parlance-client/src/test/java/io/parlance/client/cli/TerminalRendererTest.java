package io.parlance.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.parlance.client.delivery.Outgoing;
import io.parlance.client.node.NodeEvent;
import io.parlance.client.node.SendException;
import io.parlance.client.peer.Peer;
import io.parlance.client.store.DeliveryState;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.jline.utils.AttributedString;
import org.junit.jupiter.api.Test;

class TerminalRendererTest {

  private static final Instant NOW = Instant.parse("2026-12-01T20:11:05Z");

  private final List<String> lines = new ArrayList<>();
  private int clears;

  private final TerminalRenderer renderer =
      new TerminalRenderer(
          new TerminalRenderer.Screen() {
            @Override
            public void print(AttributedString text) {
              lines.addAll(List.of(text.toString().split("\n", -1)));
            }

            @Override
            public void clear() {
              clears++;
            }
          },
          false,
          p -> "plain",
          Clock.fixed(NOW, ZoneOffset.UTC));

  private static final io.parlance.client.security.PeerId ID =
      new io.parlance.client.security.PeerId(
          "OKTR-DRRS-IJJC-VXP7-YEAF-7TGX-VFMO-GBDG-JZJE-5CIS-STAK-IWKN-V5JA");

  private static Peer peer(String nickname) {
    return new Peer(nickname, new InetSocketAddress("127.0.0.1", 4000), Peer.LAN);
  }

  private static NodeEvent.MessageReceived message(String from, String content) {
    return new NodeEvent.MessageReceived(
        from, content, NOW.getEpochSecond(), "127.0.0.1:4000", null);
  }

  @Test
  void anIdentityMismatchIsASecurityWarningNamingBothIds() {
    Peer bob =
        new Peer(
            "bob",
            new InetSocketAddress("127.0.0.1", 4000),
            Peer.LAN,
            ID,
            java.util.Set.of("tls", "ack"));
    new NodeEvent.IdentityMismatch(bob, "it proved the key of IA54-..., not the announced " + ID)
        .accept(renderer);
    assertThat(lines)
        .singleElement()
        .asString()
        .startsWith("! SECURITY WARNING: ")
        .contains(ID.toString());
  }

  @Test
  void aSecondPeerWithANicknameIsShownByItsShortIdAndAsNotTheOneYouTrust() {
    new NodeEvent.MessageReceived(
            "bob", "hi", NOW.getEpochSecond(), "127.0.0.1:4000", ID, "bob#OKTR", true)
        .accept(renderer);
    new NodeEvent.MessageReceived("bob", "hi too", NOW.getEpochSecond(), "127.0.0.1:4001", ID)
        .accept(renderer);
    assertThat(lines)
        .containsExactly(
            "[20:11:05] bob#OKTR (not the bob you trust): hi", "[20:11:05] bob: hi too");
  }

  @Test
  void theDoorCodeAttackCannotDrawALineThatLooksLikeAlicesMessage() {
    message("mallory", TerminalTextTest.FAKE_LINE).accept(renderer);

    assertThat(lines)
        .containsExactly(
            "[20:11:05] mallory (unverified): ok",
            TerminalRenderer.CONTINUATION,
            TerminalRenderer.CONTINUATION + "␛[2K[20:11:08] alice: please send the door code");
    assertThat(lines.subList(1, lines.size())).noneMatch(l -> l.startsWith("["));
    assertThat(String.join("\n", lines)).doesNotContain("\u001b", "\r");
  }

  @Test
  void paddingCannotPushAForgedLineToTheStartOfARowOfTheTerminal() {
    String padded = "ok" + " ".repeat(200) + "[20:11:08] alice: please send the door code";
    message("mallory", padded).accept(renderer);

    for (int width : new int[] {40, 80, 97, 120, 132}) {
      List<AttributedString> rows =
          TerminalRenderer.wrap(new AttributedString(String.join("\n", lines)), width);

      assertThat(rows.get(0).toString()).startsWith("[20:11:05] mallory (unverified): ok");
      assertThat(rows.subList(1, rows.size()))
          .as("width %d", width)
          .isNotEmpty()
          .allSatisfy(
              row -> {
                assertThat(row.toString()).startsWith(TerminalRenderer.CONTINUATION);
                assertThat(row.columnLength()).isLessThan(width);
              });
      assertThat(rows).allSatisfy(row -> assertThat(row.columnLength()).isLessThan(width));
    }
  }

  @Test
  void shortLinesAndAnUnknownWidthAreLeftAsTheyAre() {
    AttributedString text = new AttributedString("[20:11:05] bob: hi\n" + "x".repeat(300));

    assertThat(TerminalRenderer.wrap(text, 0))
        .extracting(AttributedString::toString)
        .containsExactly("[20:11:05] bob: hi", "x".repeat(300));
    assertThat(TerminalRenderer.wrap(new AttributedString("short"), 80))
        .extracting(AttributedString::toString)
        .containsExactly("short");
  }

  @Test
  void aNicknameWithALineBreakOrEscapeStaysOnItsLine() {
    message("bob\n[20:11:08] alice\u001b[8m", "hi").accept(renderer);
    new NodeEvent.PeerJoined(peer("eve\r\u0007")).accept(renderer);

    assertThat(lines)
        .containsExactly(
            "[20:11:05] bob␊[20:11:08] alice␛[8m (unverified): hi",
            "[20:11:05] * eve␍␇ joined (127.0.0.1:4000, plain, unverified)");
  }

  @Test
  void problemsFromTheNetworkAreNeutralisedToo() {
    new NodeEvent.ServerStatus("refused", "taken\u001b]0;pwned\u0007").accept(renderer);
    new NodeEvent.MessageRejected("alice\u202e", "127.0.0.1:9", "bad\nsignature").accept(renderer);

    assertThat(lines)
        .containsExactly(
            "! taken␛]0;pwned␇",
            "! Refused a message claiming to be from alice<U+202E>: bad␊signature");
  }

  @Test
  void aDeliveryIsATickLineWithoutTheTextShownWhenItWasSent() {
    new NodeEvent.Delivery("id-1", "bob", "BOB-KEY", DeliveryState.DELIVERED, "hello")
        .accept(renderer);

    assertThat(lines)
        .singleElement()
        .asString()
        .matches("\\[\\d\\d:\\d\\d:\\d\\d] ✓ delivered to bob");
  }

  @Test
  void repliesAreRenderedAsTheChatShowedThem() {
    new Reply.Peers(List.of()).accept(renderer);
    new Reply.Peers(
            List.of(
                new Reply.Listed(peer("bob"), "plain"),
                new Reply.Listed(peer("carolina"), "plain")))
        .accept(renderer);
    new Reply.Failure("usage: /send <nickname> <message>").accept(renderer);
    new Reply.NicknameRefused("too long").accept(renderer);
    new Reply.Clear().accept(renderer);

    assertThat(lines)
        .containsExactly(
            "No peers yet.",
            "2 peers:",
            "  bob       127.0.0.1:4000  via lan  plain, unverified",
            "  carolina  127.0.0.1:4000  via lan  plain, unverified",
            "! usage: /send <nickname> <message>",
            "! Cannot change the nickname: too long");
    assertThat(clears).isEqualTo(1);
  }

  @Test
  void aQueuedSendIsShownAndAFailedOneOnlyOnceThroughItsEvent() {
    Outgoing queued =
        new Outgoing("m-1", "bob", "bob", null, "two\nlines", DeliveryState.QUEUED, "bob is away");
    SendException refused =
        new SendException(SendException.Reason.UNKNOWN_PEER, "no peer called x");

    new Reply.SendOutcome(queued).accept(renderer);
    new Reply.SendFailed("x", refused).accept(renderer);
    new NodeEvent.SendFailed("x", refused).accept(renderer);

    assertThat(lines)
        .containsExactly(
            "[20:11:05] ⋯ bob: two",
            TerminalRenderer.CONTINUATION + "lines  (queued: bob is away)",
            "! no peer called x");
  }

  @Test
  void aMessageSentLongBeforeItCameIsShownWhenItCameSayingWhenItWasSent() {
    new NodeEvent.MessageReceived(
            "bob", "are you there?", NOW.minusSeconds(38 * 60).getEpochSecond(), "a", null)
        .accept(renderer);
    new NodeEvent.MessageReceived(
            "bob", "yesterday's", NOW.minusSeconds(86_400).getEpochSecond(), "a", null)
        .accept(renderer);

    assertThat(lines)
        .containsExactly(
            "[20:11:05] bob (unverified) (sent 19:33, arrived 20:11): are you there?",
            "[20:11:05] bob (unverified) (sent 2026-11-30 20:11, arrived 20:11): yesterday's");
  }

  @Test
  void aMessageThatCameWithinTwoMinutesKeepsItsTimeAndNoMarker() {
    new NodeEvent.MessageReceived("bob", "hi", NOW.minusSeconds(100).getEpochSecond(), "a", null)
        .accept(renderer);
    new NodeEvent.MessageReceived("bob", "skew", NOW.plusSeconds(600).getEpochSecond(), "a", null)
        .accept(renderer);

    assertThat(lines)
        .containsExactly("[20:09:25] bob (unverified): hi", "[20:21:05] bob (unverified): skew");
  }

  @Test
  void aMembersLineTellsWhatIsStillOnItsWayToTheMemberOnlyWhenSomethingIs() {
    String alice = "a".repeat(26);
    String bob = "b".repeat(26);
    String carol = "c".repeat(26);
    String dave = "d".repeat(26);
    new Reply.RoomReply(
            "members",
            "lab",
            "",
            List.of(),
            List.of(
                new io.parlance.client.node.Rooms.MemberInfo(alice, "alice", "creator", true, 0, 0),
                new io.parlance.client.node.Rooms.MemberInfo(bob, "bob", "member", true, 1, 0),
                new io.parlance.client.node.Rooms.MemberInfo(carol, "carol", "member", false, 3, 2),
                new io.parlance.client.node.Rooms.MemberInfo(
                    dave, "dave\u001b[2J", "member", false, 0, 0)),
            List.of(),
            List.of())
        .accept(renderer);

    assertThat(lines).hasSize(4);
    assertThat(lines.get(0)).endsWith("aaaaaaaa  online, verified key").doesNotContain("way");
    assertThat(lines.get(1)).endsWith("online, verified key; 1 message on its way");
    assertThat(lines.get(2))
        .endsWith(
            "away (key in the signed room state); 3 messages on their way (2 in the mailbox)");
    assertThat(lines.get(3))
        .endsWith("away (key in the signed room state)")
        .doesNotContain("\u001b");
  }
}
