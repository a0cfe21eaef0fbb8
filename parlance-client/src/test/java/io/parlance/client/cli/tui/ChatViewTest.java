package io.parlance.client.cli.tui;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.IntStream;
import org.jline.utils.AttributedString;
import org.junit.jupiter.api.Test;

class ChatViewTest {

  private final ChatView view = new ChatView(false);

  private static List<AttributedString> lines(String... texts) {
    return java.util.Arrays.stream(texts).map(AttributedString::new).toList();
  }

  private static InputLine.Snapshot typed(String text) {
    return new InputLine.Snapshot(text, text.length());
  }

  private List<String> screen(int width, int height) {
    return view.layout(width, height, typed(""), "> ").rows().stream()
        .map(AttributedString::toString)
        .toList();
  }

  @Test
  void aMessageInAConversationNotShownCountsAsUnreadUntilItIsSelected() {
    view.peerOnline("ID-BOB", "bob", "verified", "lan");
    view.add("ID-BOB", "bob", lines("[10:00:00] bob: hi"), null, true);
    view.add("ID-BOB", "bob", lines("[10:00:01] bob: there?"), null, true);

    assertThat(view.unread("ID-BOB")).isEqualTo(2);
    assertThat(String.join("\n", screen(80, 10))).contains("● bob").contains("2 unread");

    view.select("ID-BOB", "bob");

    assertThat(view.unread("ID-BOB")).isZero();
    assertThat(view.current()).isEqualTo("ID-BOB");
    assertThat(String.join("\n", screen(80, 10)))
        .contains("bob · online · direct (lan)")
        .contains("[10:00:01] bob: there?")
        .doesNotContain("unread");
  }

  @Test
  void aMessageInTheConversationShownIsNotUnread() {
    view.select("ID-BOB", "bob");
    view.add("ID-BOB", "bob", lines("[10:00:00] bob: hi"), null, true);

    assertThat(view.unread("ID-BOB")).isZero();
  }

  @Test
  void ourOwnLinesAndNotesNeverCountAsUnread() {
    view.add("ID-BOB", "bob", lines("[10:00:00] → bob: hi"), "m1", false);
    view.add(ChatView.STATUS, null, lines("* bob joined"), null, false);

    assertThat(view.unread("ID-BOB")).isZero();
    assertThat(view.unread(ChatView.STATUS)).isZero();
  }

  @Test
  void aPeerThatLeavesKeepsItsConversationOffline() {
    view.peerOnline("ID-BOB", "bob", "verified", "lan");
    view.add("ID-BOB", "bob", lines("[10:00:00] bob: bye"), null, true);
    view.peerOffline("ID-BOB");

    assertThat(view.keys()).containsExactly(ChatView.STATUS, "ID-BOB");
    assertThat(view.online("ID-BOB")).isFalse();
    assertThat(String.join("\n", screen(80, 10))).contains("○ bob").doesNotContain("● bob");
    view.select("ID-BOB", "bob");
    assertThat(String.join("\n", screen(80, 10))).contains("bob · offline");
  }

  @Test
  void aDeliveryTicksTheLineOfThatMessageOnlyAndTellsTheStatusLine() {
    view.add("ID-BOB", "bob", lines("[10:00:00] → bob: one"), "m1", false);
    view.add("ID-BOB", "bob", lines("[10:00:01] → bob: two"), "m2", false);

    view.delivered("m2", "✓ bob 10:00:02");
    view.delivered("m2", "✓ bob 10:00:02"); // a second ack adds no second tick

    assertThat(view.lines("ID-BOB"))
        .containsExactly("[10:00:00] → bob: one", "[10:00:01] → bob: two ✓");
    assertThat(screen(80, 10).get(8)).contains("✓ bob 10:00:02");
  }

  @Test
  void nextAndPreviousGoRoundTheListAndADigitPicksOne() {
    view.peerOnline("A", "alice", "verified", "lan");
    view.peerOnline("B", "bob", "plain", "lan");

    view.next();
    assertThat(view.current()).isEqualTo("A");
    view.next();
    view.next();
    assertThat(view.current()).isEqualTo(ChatView.STATUS);
    view.previous();
    assertThat(view.current()).isEqualTo("B");
    assertThat(view.select(1)).isTrue();
    assertThat(view.current()).isEqualTo("A");
    assertThat(view.select(7)).isFalse();
    assertThat(view.current()).isEqualTo("A");
  }

  @Test
  void theListMarksPlainAndChangedPeers() {
    view.peerOnline("B", "bob", "plain", "lan");
    view.peerOnline("M", "mallory", "changed", "lan");

    String shown = String.join("\n", screen(80, 10));

    assertThat(shown).contains("● bob ?").contains("● mallory !");
  }

  @Test
  void pageUpShowsOlderLinesAndKeepsThemWhileNewOnesArriveThenPageDownReturns() {
    view.select("B", "bob");
    view.add("B", "bob", lines(numbered(0, 30)), null, false);

    assertThat(screen(80, 10))
        .anyMatch(r -> r.contains("line 29"))
        .noneMatch(r -> r.contains("line 20 "));

    view.pageUp(10);
    assertThat(screen(80, 10))
        .anyMatch(r -> r.endsWith("line 19"))
        .noneMatch(r -> r.contains("line 29"))
        .anyMatch(r -> r.contains("scrolled up 10 (PgDn)"));

    view.add("B", "bob", lines("line 30"), null, true);
    assertThat(screen(80, 10)).anyMatch(r -> r.endsWith("line 19"));

    view.pageDown(100);
    assertThat(view.scroll()).isZero();
    assertThat(screen(80, 10)).anyMatch(r -> r.endsWith("line 30"));
  }

  @Test
  void pageUpStopsAtTheOldestLine() {
    view.add(ChatView.STATUS, null, lines(numbered(0, 5)), null, false);

    view.pageUp(100);

    assertThat(view.scroll()).isEqualTo(4);
    assertThat(screen(80, 10)).anyMatch(r -> r.endsWith("line 0"));
  }

  @Test
  void findScrollsToTheLatestMatchThenToOlderOnesAndMarksIt() {
    view.add(ChatView.STATUS, null, lines(numbered(0, 50)), null, false);
    view.add(ChatView.STATUS, null, lines("the Door code is 1234"), null, false);
    view.add(ChatView.STATUS, null, lines(numbered(50, 100)), null, false);
    view.add(ChatView.STATUS, null, lines("a door again"), null, false);
    view.add(ChatView.STATUS, null, lines(numbered(100, 120)), null, false);

    assertThat(view.find("door")).isTrue();
    assertThat(screen(80, 10).get(7)).endsWith("a door again");
    assertThat(view.find("door")).isTrue();
    assertThat(screen(80, 10).get(7)).endsWith("the Door code is 1234");
    assertThat(view.find("door")).isFalse();
    assertThat(view.find("nowhere")).isFalse();

    view.endSearch();
    assertThat(view.scroll()).isZero();
  }

  @Test
  void findEverywhereJumpsFromConversationToConversationAndComesRound() {
    view.peerOnline("A", "alice", "verified", "lan");
    view.peerOnline("B", "bob", "verified", "lan");
    view.add(
        "A", "alice", lines("alice: the picnic is on Sunday", "alice: bring bread"), null, true);
    view.add("#R", "#club", lines("carol: Picnic moved to noon"), null, true);
    view.add("B", "bob", lines("bob: hello", "bob: what picnic?", "bob: bye"), null, true);
    view.select(ChatView.STATUS, null);

    // Not in the status window: the first conversation after it that holds it is shown.
    assertThat(view.findEverywhere("picnic")).isEqualTo("A");
    assertThat(view.current()).isEqualTo("A");
    assertThat(view.unread("A")).isZero();
    assertThat(view.scroll()).isEqualTo(1); // "the picnic" is the bottom line, "bring bread" below
    assertThat(view.unread("#R")).isEqualTo(1); // not looked at yet

    // Again: alice has no other, so on to bob, then the room (in the list's order), then round.
    assertThat(view.findEverywhere("picnic")).isEqualTo("B");
    assertThat(view.scroll()).isEqualTo(1);
    assertThat(view.findEverywhere("picnic")).isEqualTo("#R");
    assertThat(view.scroll()).isZero();
    assertThat(view.unread("#R")).isZero();
    assertThat(view.findEverywhere("picnic")).isEqualTo("A");

    assertThat(view.matches("PICNIC")).isEqualTo(new ChatView.Matches(3, 3));
    assertThat(view.matches("bread")).isEqualTo(new ChatView.Matches(1, 1));
  }

  @Test
  void findEverywhereFindsNothingWithoutMovingAndAnEmptySearchFindsNothing() {
    view.peerOnline("A", "alice", "verified", "lan");
    view.add("A", "alice", lines("alice: hi"), null, true);
    view.select("A", "alice");

    assertThat(view.findEverywhere("nowhere")).isNull();
    assertThat(view.current()).isEqualTo("A");
    assertThat(view.findEverywhere("")).isNull();
    assertThat(view.matches("")).isEqualTo(new ChatView.Matches(0, 0));
    assertThat(view.matches("nowhere")).isEqualTo(new ChatView.Matches(0, 0));
  }

  @Test
  void findEverywhereStartsInTheShownConversationAboveItsLastHit() {
    view.peerOnline("A", "alice", "verified", "lan");
    view.add(ChatView.STATUS, null, lines("note: key changed"), null, false);
    view.add("A", "alice", lines("alice: new key", "alice: ok", "alice: key again"), null, true);
    view.select("A", "alice");

    assertThat(view.findEverywhere("key")).isEqualTo("A");
    assertThat(view.scroll()).isZero();
    assertThat(view.findEverywhere("key")).isEqualTo("A");
    assertThat(view.scroll()).isEqualTo(2);
    // Alice's are used up: the status window, after her in the round, holds one.
    assertThat(view.findEverywhere("key")).isEqualTo(ChatView.STATUS);
    assertThat(screen(80, 6)).anySatisfy(row -> assertThat(row).endsWith("note: key changed"));
  }

  @Test
  void theMarkOfASearchIsInverseVideo() {
    view.add(ChatView.STATUS, null, lines("the door"), null, false);
    view.find("door");

    AttributedString row = view.layout(80, 5, typed(""), "> ").rows().get(2);

    int at = row.toString().indexOf("door");
    assertThat(row.styleAt(at).getStyle() & 0x0020).isNotZero(); // F_INVERSE
    assertThat(row.styleAt(at - 2).getStyle() & 0x0020).isZero();
  }

  @Test
  void everyRowFitsTheScreenWithTheLastColumnFreeAtEverySize() {
    view.peerOnline("B", "a-very-long-nickname-of-thirty-two", "verified", "internet");
    view.add(
        "B", "x", lines("x".repeat(500), "short", "wide 漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字"), null, true);
    view.select("B", "x");
    for (int width : new int[] {1, 2, 10, 30, 63, 64, 80, 200}) {
      for (int height : new int[] {1, 2, 3, 5, 24, 60}) {
        ChatView.Frame frame =
            view.layout(width, height, typed("hello\nworld ".repeat(20)), "bob> ");
        assertThat(frame.rows()).as("%dx%d", width, height).hasSize(height);
        assertThat(frame.rows())
            .allMatch(r -> r.columnLength() <= Math.max(1, width - 1), "fits " + width);
        assertThat(frame.cursorRow()).isBetween(0, height - 1);
        assertThat(frame.cursorColumn()).isBetween(0, Math.max(0, width - 1));
      }
    }
  }

  @Test
  void aNarrowScreenHidesTheListAndKeepsTheConversation() {
    view.peerOnline("B", "bob", "verified", "lan");
    view.select("B", "bob");
    view.add("B", "bob", lines("[10:00:00] bob: hi"), null, false);

    List<String> narrow = screen(40, 8);

    assertThat(narrow).noneMatch(r -> r.contains("Chats"));
    assertThat(narrow.get(0)).startsWith(" bob · online");
    assertThat(narrow.get(5)).isEqualTo("[10:00:00] bob: hi");
    assertThat(screen(100, 8).get(0)).startsWith(" Chats");
  }

  @Test
  void aLongLineWrapsIndentedAndAMultiLineInputTakesSeveralRowsWithTheCursorOnItsEnd() {
    view.add(ChatView.STATUS, null, lines("[10:00:00] bob: " + "word ".repeat(20)), null, false);
    ChatView.Frame frame = view.layout(40, 10, typed("first\nsecond"), "bob> ");
    List<String> rows = frame.rows().stream().map(AttributedString::toString).toList();

    assertThat(rows.get(rows.size() - 2)).isEqualTo("bob> first");
    assertThat(rows.get(rows.size() - 1)).isEqualTo("     second");
    assertThat(frame.cursorRow()).isEqualTo(9);
    assertThat(frame.cursorColumn()).isEqualTo("     second".length());
    assertThat(rows.get(rows.size() - 4)).startsWith(ChatView.CONTINUATION);
  }

  @Test
  void aLongLineBreaksBetweenWordsAndCutsOnlyAWordLongerThanARow() {
    List<String> rows =
        ChatView.wrap(
                new AttributedString(
                    "You are bob, listening on TCP port 34653. Type /help for the commands."),
                30)
            .stream()
            .map(AttributedString::toString)
            .toList();

    assertThat(rows)
        .containsExactly(
            "You are bob, listening on TCP",
            ChatView.CONTINUATION + "port 34653. Type",
            ChatView.CONTINUATION + "/help for the",
            ChatView.CONTINUATION + "commands.");
    assertThat(rows).allMatch(r -> r.length() <= 30);

    List<String> aLongWord =
        ChatView.wrap(new AttributedString("ab " + "x".repeat(45)), 20).stream()
            .map(AttributedString::toString)
            .toList();
    assertThat(aLongWord)
        .containsExactly(
            "ab",
            ChatView.CONTINUATION + "x".repeat(9),
            ChatView.CONTINUATION + "x".repeat(9),
            ChatView.CONTINUATION + "x".repeat(9),
            ChatView.CONTINUATION + "x".repeat(9),
            ChatView.CONTINUATION + "x".repeat(9));
    assertThat(String.join("", aLongWord).replace(ChatView.CONTINUATION, ""))
        .isEqualTo("ab" + "x".repeat(45));
  }

  @Test
  void aHelpLineWrapsUnderItsDescriptionAndAChatLineUnderItsText() {
    String help = "/members <room>              who is in a room, their roles, who is verified";
    List<String> rows =
        ChatView.wrap(new AttributedString(help), 60).stream()
            .map(AttributedString::toString)
            .toList();
    assertThat(rows)
        .containsExactly(
            "/members <room>              who is in a room, their roles,",
            " ".repeat(29) + "who is verified");

    String chat = "[10:00:00] bob: two  spaces and then a rather long line of text";
    // A chat line's own double space does not move its continuation under it.
    assertThat(ChatView.wrap(new AttributedString(chat), 40).get(1).toString())
        .isEqualTo(ChatView.CONTINUATION + "rather long line of text");
    assertThat(ChatView.continuation(" a note  with a gap")).isEqualTo(ChatView.CONTINUATION);
    assertThat(ChatView.continuation("x" + " ".repeat(50) + "far"))
        .isEqualTo(ChatView.CONTINUATION);
  }

  @Test
  void theCursorFollowsItInsideTheInput() {
    ChatView.Frame frame = view.layout(40, 10, new InputLine.Snapshot("abcdef", 2), "bob> ");

    assertThat(frame.cursorRow()).isEqualTo(9);
    assertThat(frame.cursorColumn()).isEqualTo(7);
  }

  @Test
  void controlCharactersInNamesAndTypedTextAreShownAsPicturesNotSent() {
    view.peerOnline("E", "evil\u001b[2J\u0007\u202e", "plain", "lan");
    view.select("E", null);

    String shown =
        view.layout(100, 6, typed("x\u001b]0;title\u0007"), "> ").rows().stream()
            .map(AttributedString::toString)
            .reduce("", String::concat);

    assertThat(shown).doesNotContain("\u001b").doesNotContain("\u0007").doesNotContain("\u202e");
    assertThat(shown).contains("evil␛[2J␇<U+202E>").contains("x␛]0;title␇");
  }

  @Test
  void aConversationKeepsItsLatestLinesOnly() {
    view.add("B", "bob", lines(numbered(0, ChatView.MAX_LINES + 10)), null, false);

    assertThat(view.lines("B")).hasSize(ChatView.MAX_LINES).first().isEqualTo("line 10");
  }

  @Test
  void earlierLinesGoAboveThoseOfThisRunAsReadAndKeepAScrolledPaneWhereItIs() {
    view.select("B", "bob");
    view.add("B", "bob", lines(numbered(0, 30)), null, true);
    view.pageUp(5);
    List<String> before = screen(80, 12);

    view.addEarlier("B", lines("earlier 1", "earlier 2"));

    assertThat(view.lines("B")).startsWith("earlier 1", "earlier 2", "line 0").endsWith("line 29");
    assertThat(view.unread("B")).isZero();
    assertThat(screen(80, 12)).isEqualTo(before);
  }

  @Test
  void earlierLinesFillOnlyWhatIsLeftOfAConversationsRoomTheLatestFirst() {
    view.add("B", "bob", lines(numbered(0, ChatView.MAX_LINES - 2)), null, false);

    view.addEarlier("B", lines("earlier 1", "earlier 2", "earlier 3"));

    assertThat(view.lines("B")).hasSize(ChatView.MAX_LINES).startsWith("earlier 2", "earlier 3");
  }

  @Test
  void earlierLinesGoNowhereWithoutTheirConversationOrIntoTheStatusOne() {
    view.addEarlier("NOBODY", lines("earlier"));
    view.addEarlier(ChatView.STATUS, lines("earlier"));

    assertThat(view.keys()).containsExactly(ChatView.STATUS);
    assertThat(view.lines(ChatView.STATUS)).isEmpty();
  }

  @Test
  void aRoomIsNeitherOnlineNorOfflineAndItsHeaderSaysHowToSeeItsMembers() {
    String lab = EventRoutes.roomKey("etbbuspy");
    view.add(lab, "#lab", lines("[10:00:00] #lab bob: hi"), null, false);
    view.select(lab, "#lab");

    String shown = String.join("\n", screen(100, 8));
    assertThat(shown).contains(">1   #lab").doesNotContain("○").doesNotContain("offline");
    assertThat(shown)
        .contains("#lab · room · plain text goes to its members; /members lab lists them");
  }

  @Test
  void clearEmptiesTheConversationShown() {
    view.add(ChatView.STATUS, null, lines("note"), null, false);
    view.add("B", "bob", lines("hi"), null, false);

    view.clear();

    assertThat(view.lines(ChatView.STATUS)).isEmpty();
    assertThat(view.lines("B")).containsExactly("hi");
  }

  private static String[] numbered(int from, int to) {
    return IntStream.range(from, to).mapToObj(i -> "line " + i).toArray(String[]::new);
  }
}
