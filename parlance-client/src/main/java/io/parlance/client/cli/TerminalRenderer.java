package io.parlance.client.cli;

import io.parlance.client.delivery.Outgoing;
import io.parlance.client.node.NodeEvent;
import io.parlance.client.node.PeerNode;
import io.parlance.client.peer.Peer;
import io.parlance.client.store.DeliveryState;
import io.parlance.client.store.StoredMessage;
import io.parlance.protocol.bootstrap.MailFields;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStringBuilder;
import org.jline.utils.AttributedStyle;

/**
 * Renders replies and node events as lines for people, on the chat's {@link Screen}: messages as
 * {@code [HH:MM:SS] nick: text}, notes faint, problems in red after {@code !}. Every text from the
 * network goes through {@link TerminalText} first, and a message's line breaks become indented
 * continuation lines, so no peer can draw a line that looks like another's message.
 */
final class TerminalRenderer implements Reply.Visitor<Void>, NodeEvent.Visitor<Void> {

  private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

  private static final DateTimeFormatter SHORT = DateTimeFormatter.ofPattern("HH:mm");

  /** A message that took longer than this to come is shown as delayed, with when it was sent. */
  static final Duration DELAYED = Duration.ofMinutes(2);

  /** What starts a continuation line of a message: as wide as {@code [HH:MM:SS] }. */
  static final String CONTINUATION = " ".repeat("[00:00:00] ".length());

  private static final int[] PALETTE = {
    AttributedStyle.CYAN,
    AttributedStyle.GREEN,
    AttributedStyle.YELLOW,
    AttributedStyle.MAGENTA,
    AttributedStyle.BLUE,
    AttributedStyle.RED
  };

  /** Where the lines go: above the prompt in the chat, a list in tests. */
  interface Screen {

    /**
     * Prints a line (or several, separated by {@code \n}).
     *
     * @param text the line, already neutralised
     */
    void print(AttributedString text);

    /** Clears the screen. */
    void clear();
  }

  private final Screen screen;
  private final boolean colour;
  private final Function<Peer, String> trust;
  private final Clock clock;

  /**
   * Creates a renderer.
   *
   * @param screen where lines go
   * @param colour true to colour nicknames and dim notes
   * @param trust how far each peer is trusted ({@code plain}, {@code changed}, ...), as {@link
   *     PeerNode#trustOf} says
   * @param clock the time of events, and the zone of message times
   */
  TerminalRenderer(Screen screen, boolean colour, Function<Peer, String> trust, Clock clock) {
    this.screen = Objects.requireNonNull(screen, "screen");
    this.colour = colour;
    this.trust = Objects.requireNonNull(trust, "trust");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Breaks text into the rows a terminal of the given width shows, none wider than it, so that the
   * terminal never wraps a line itself: what does not fit goes on indented continuation rows, as a
   * message's line breaks do, and no padding can push forged text to the start of a row.
   *
   * @param text the text, lines separated by {@code \n}
   * @param width the terminal's width in columns; 0 (unknown) or too narrow to indent keeps the
   *     lines as they are
   * @return the rows
   */
  static List<AttributedString> wrap(AttributedString text, int width) {
    List<AttributedString> rows = new ArrayList<>();
    String plain = text.toString();
    int start = 0;
    while (true) {
      int end = plain.indexOf('\n', start);
      wrapLine(text.subSequence(start, end < 0 ? plain.length() : end), width, rows);
      if (end < 0) {
        return rows;
      }
      start = end + 1;
    }
  }

  private static void wrapLine(AttributedString line, int width, List<AttributedString> rows) {
    int usable = width - 1; // a column spare: some terminals wrap on writing the last one
    if (usable <= CONTINUATION.length() + 1 || line.columnLength() <= usable) {
      rows.add(line);
      return;
    }
    AttributedString first = line.columnSubSequence(0, usable);
    rows.add(first);
    AttributedString rest = line.columnSubSequence(first.columnLength(), line.columnLength());
    for (AttributedString part : rest.columnSplitLength(usable - CONTINUATION.length())) {
      rows.add(
          new AttributedStringBuilder().append(CONTINUATION).append(part).toAttributedString());
    }
  }

  // Replies

  @Override
  public Void peers(Reply.Peers reply) {
    List<Reply.Listed> peers = reply.peers();
    if (peers.isEmpty()) {
      note("No peers yet.");
      return null;
    }
    note(peers.size() + (peers.size() == 1 ? " peer:" : " peers:"));
    // Columns as 'parlance peers' aligns them: nickname, address, via, security.
    int nameWidth = 0;
    int addressWidth = 0;
    int viaWidth = 0;
    for (Reply.Listed listed : peers) {
      Peer p = listed.peer();
      nameWidth = Math.max(nameWidth, name(p.nickname()).columnLength());
      addressWidth = Math.max(addressWidth, columns(TerminalText.inline(p.addressText())));
      viaWidth = Math.max(viaWidth, columns("via " + TerminalText.inline(p.source())));
    }
    for (Reply.Listed listed : peers) {
      Peer p = listed.peer();
      AttributedString name = name(p.nickname());
      String address = TerminalText.inline(p.addressText());
      String via = "via " + TerminalText.inline(p.source());
      screen.print(
          new AttributedStringBuilder()
              .append("  ")
              .append(name)
              .append(" ".repeat(nameWidth - name.columnLength()))
              .append("  " + address + " ".repeat(addressWidth - columns(address)))
              .append("  " + via + " ".repeat(viaWidth - columns(via)))
              .append("  " + security(p, listed.trust()))
              .append(listed.path() == null ? "" : ", " + TerminalText.inline(listed.path()))
              .toAttributedString());
    }
    return null;
  }

  /** A message kept in the outbox, with why; one written is told by its sent event. */
  @Override
  public Void sendOutcome(Reply.SendOutcome reply) {
    Outgoing out = reply.outgoing();
    if (out.state() == DeliveryState.QUEUED) {
      screen.print(
          line(now())
              .append("⋯ ")
              .append(name(out.to()))
              .append(
                  ": "
                      + TerminalText.block(out.content(), CONTINUATION)
                      + "  (queued: "
                      + TerminalText.inline(String.valueOf(out.note()))
                      + ")")
              .toAttributedString());
    }
    return null;
  }

  /** Nothing: the node's send-failed event tells it. */
  @Override
  public Void sendFailed(Reply.SendFailed reply) {
    return null;
  }

  /** Nothing: the node's nickname-changed event tells it. */
  @Override
  public Void nicknameChanged(Reply.NicknameChanged reply) {
    return null;
  }

  @Override
  public Void nicknameRefused(Reply.NicknameRefused reply) {
    problem("Cannot change the nickname: " + reply.reason());
    return null;
  }

  @Override
  public Void verification(Reply.Verification reply) {
    PeerNode.Verification check = reply.verification();
    String nickname = TerminalText.inline(check.peer().nickname());
    note("Your id:        " + check.ours());
    note(
        nickname
            + "'s id:"
            + " ".repeat(Math.max(1, 10 - nickname.length()))
            + (check.peer().id() == null
                ? "none (a plain peer: it cannot be verified)"
                : check.peer().id().toString()));
    if (check.peer().id() != null && !check.remembered().contains(check.peer().id())) {
      problem(
          "Accepted before for "
              + nickname
              + ": "
              + check.remembered()
              + "; /trust accepts the new id after you compared it");
    }
    note("Read both ids to each other over another channel (phone, in person).");
    return null;
  }

  @Override
  public Void trusted(Reply.Trusted reply) {
    note(
        "Now trusting "
            + TerminalText.inline(reply.peer().qualifiedName())
            + " with id "
            + reply.peer().id()
            + ".");
    return null;
  }

  @Override
  public Void history(Reply.History reply) {
    if (reply.messages().isEmpty()) {
      note("No messages with " + TerminalText.inline(reply.peer()) + " are kept.");
    } else {
      stored(reply.messages());
    }
    return null;
  }

  @Override
  public Void found(Reply.Found reply) {
    if (reply.messages().isEmpty()) {
      note("No message contains " + TerminalText.inline(reply.query()) + ".");
    } else {
      note(reply.messages().size() + " found, most recent first:");
      stored(reply.messages());
    }
    return null;
  }

  private void stored(List<StoredMessage> messages) {
    messages.forEach(m -> note(StoredLines.line(m, clock.getZone())));
  }

  @Override
  public Void inbox(Reply.Inbox reply) {
    if (reply.messages().isEmpty()) {
      note("No messages received yet.");
    }
    reply.messages().forEach(this::messageReceived);
    return null;
  }

  @Override
  public Void following(Reply.Following reply) {
    note("Showing every event.");
    return null;
  }

  @Override
  public Void help(Reply.Help reply) {
    Command.HELP.forEach(this::note);
    return null;
  }

  @Override
  public Void clear(Reply.Clear reply) {
    screen.clear();
    return null;
  }

  @Override
  public Void room(Reply.RoomReply reply) {
    if (!reply.note().isEmpty()) {
      note(TerminalText.inline(reply.note()));
    }
    for (io.parlance.client.node.Rooms.Info r : reply.rooms()) {
      note(
          String.format(
              "  #%-20s %s  v%d  %d members%s",
              TerminalText.inline(r.name()),
              r.id().substring(0, 8),
              r.version(),
              r.members(),
              r.member() ? "" : "  (invitation: /join " + TerminalText.inline(r.name()) + ")"));
    }
    for (io.parlance.client.node.Rooms.MemberInfo m : reply.members()) {
      note(
          String.format(
              "  %-24s %-9s %s  %s%s",
              TerminalText.inline(m.nickname()),
              m.role(),
              m.id().substring(0, 8),
              m.online() ? "online, verified key" : "away (key in the signed room state)",
              onTheirWay(m.waiting(), m.deposited())));
    }
    for (io.parlance.client.store.MessageStore.RoomRow m : reply.messages()) {
      String at =
          LocalTime.ofInstant(Instant.ofEpochMilli(m.createdMs()), clock.getZone()).format(CLOCK);
      note(
          "["
              + at
              + "] "
              + TerminalText.inline(m.nickname())
              + ": "
              + TerminalText.block(m.text(), CONTINUATION));
    }
    for (io.parlance.client.node.Rooms.ProposalInfo p : reply.proposals()) {
      note(
          "  "
              + p.digest().substring(0, 8)
              + "  "
              + TerminalText.inline(p.what())
              + (p.passed() ? "  passed" : "  " + p.votes() + "/" + p.needed() + " votes"));
    }
    return null;
  }

  /** What of ours is still on its way to a room member, or nothing when nothing is. */
  private static String onTheirWay(int waiting, int deposited) {
    if (waiting == 0) {
      return "";
    }
    String s = "; " + waiting + (waiting == 1 ? " message on its way" : " messages on their way");
    return deposited == 0 ? s : s + " (" + deposited + " in the mailbox)";
  }

  @Override
  public Void failure(Reply.Failure reply) {
    problem(reply.message());
    return null;
  }

  // Events

  @Override
  public Void ready(NodeEvent.Ready e) {
    note(
        "You are "
            + TerminalText.inline(e.nickname())
            + ", listening on TCP port "
            + e.tcpPort()
            + (e.interfaceName() == null
                ? ", finding peers through the bootstrap server"
                : ", discovering peers on " + TerminalText.inline(e.interfaceName()))
            + ". Type /help for the commands.");
    return null;
  }

  @Override
  public Void peerJoined(NodeEvent.PeerJoined e) {
    screen.print(
        line(now())
            .append("* ")
            .append(name(e.peer().nickname()))
            .append(
                " joined ("
                    + TerminalText.inline(e.peer().addressText())
                    + ", "
                    + security(e.peer(), trust.apply(e.peer()))
                    + ")")
            .toAttributedString());
    return null;
  }

  @Override
  public Void peerLeft(NodeEvent.PeerLeft e) {
    String why =
        switch (e.reason()) {
          case GOODBYE -> "left";
          case TIMEOUT -> "timed out";
          case MOVED -> "moved to another address";
          case REPLACED -> "was replaced at its address";
          case REMOVED -> "is gone";
        };
    screen.print(
        line(now())
            .append("* ")
            .append(name(e.peer().nickname()))
            .append(" " + why + " (" + TerminalText.inline(e.peer().addressText()) + ")")
            .toAttributedString());
    return null;
  }

  @Override
  public Void peerRenamed(NodeEvent.PeerRenamed e) {
    screen.print(
        line(now())
            .append("* " + TerminalText.inline(e.before().nickname()) + " is now ")
            .append(name(e.after().nickname()))
            .toAttributedString());
    return null;
  }

  @Override
  public Void messageReceived(NodeEvent.MessageReceived e) {
    Instant sent = Instant.ofEpochSecond(e.timestamp());
    Instant now = clock.instant();
    boolean delayed = Duration.between(sent, now).compareTo(DELAYED) > 0;
    // A message sent long before it came (kept in an outbox, a peer offline) is shown when it
    // came, saying when it was sent, not slipped in silently at its old time.
    String at = delayed ? now() : LocalTime.ofInstant(sent, clock.getZone()).format(CLOCK);
    AttributedStringBuilder b = line(at).append(name(e.sender())).append(sourceNote(e));
    if (delayed) {
      b.append(
          " (sent " + sentAt(sent) + ", arrived " + LocalTime.now(clock).format(SHORT) + ")",
          colour ? AttributedStyle.DEFAULT.faint() : AttributedStyle.DEFAULT);
    }
    screen.print(
        b.append(": " + TerminalText.block(e.content(), CONTINUATION)).toAttributedString());
    return null;
  }

  /** When a delayed message was sent: the time, with the date if it was not today. */
  private String sentAt(Instant sent) {
    LocalDate day = LocalDate.ofInstant(sent, clock.getZone());
    LocalTime time = LocalTime.ofInstant(sent, clock.getZone());
    return day.equals(LocalDate.now(clock)) ? time.format(SHORT) : day + " " + time.format(SHORT);
  }

  @Override
  public Void room(NodeEvent.RoomActivity e) {
    String at = LocalTime.now(clock).format(CLOCK);
    String room = "#" + TerminalText.inline(e.roomName());
    switch (e.kind()) {
      case "message" ->
          screen.print(
              line(at)
                  .append(room + " ")
                  .append(name(e.from()))
                  .append(": " + TerminalText.block(e.text(), CONTINUATION))
                  .toAttributedString());
      case "refused" ->
          problem("Room " + room + ": refused a line from " + e.from() + ": " + e.text());
      default ->
          screen.print(
              line(at)
                  .append(
                      room
                          + " "
                          + TerminalText.inline(e.from())
                          + ": "
                          + TerminalText.inline(e.text()))
                  .toAttributedString());
    }
    return null;
  }

  @Override
  public Void messageRejected(NodeEvent.MessageRejected e) {
    problem("Refused a message claiming to be from " + e.from() + ": " + e.reason());
    return null;
  }

  @Override
  public Void lineRefused(NodeEvent.LineRefused e) {
    problem(
        "Dropped a message of "
            + e.bytes()
            + " bytes from "
            + (e.from() == null ? "an unknown sender" : e.from())
            + " at "
            + e.address()
            + ": "
            + e.reason());
    return null;
  }

  @Override
  public Void trustWarning(NodeEvent.TrustWarning e) {
    problem(e.warning());
    return null;
  }

  @Override
  public Void identityMismatch(NodeEvent.IdentityMismatch e) {
    problem("SECURITY WARNING: " + e.message());
    return null;
  }

  @Override
  public Void messageSent(NodeEvent.MessageSent e) {
    screen.print(
        line(now())
            .append("→ ")
            .append(name(e.to().nickname()))
            .append(": " + TerminalText.block(e.content(), CONTINUATION))
            .toAttributedString());
    return null;
  }

  /**
   * Only a delivery to the peer and a deposit in the mailbox are told; queued and sent are told by
   * the send's own lines.
   */
  @Override
  public Void delivery(NodeEvent.Delivery e) {
    if (e.state() == DeliveryState.DELIVERED) {
      // The text was shown when it was sent ('→ bob: ...'); a tick line, not the text again.
      note("[" + now() + "] ✓ delivered to " + TerminalText.inline(e.to()));
    } else if (e.state() == DeliveryState.DEPOSITED) {
      note(
          "["
              + now()
              + "] ✉ deposited, sealed, in the server's mailbox for "
              + TerminalText.inline(e.to()));
    }
    return null;
  }

  @Override
  public Void sendFailed(NodeEvent.SendFailed e) {
    problem(e.error().getMessage());
    return null;
  }

  @Override
  public Void nicknameChanged(NodeEvent.NicknameChanged e) {
    note("You are now " + TerminalText.inline(e.after()) + ".");
    return null;
  }

  @Override
  public Void error(NodeEvent.Error e) {
    problem(e.message());
    return null;
  }

  @Override
  public Void serverStatus(NodeEvent.ServerStatus e) {
    if (e.status().equals("registered")) {
      note(TerminalText.inline(e.message()));
    } else {
      problem(e.message());
    }
    return null;
  }

  @Override
  public Void stopped(NodeEvent.Stopped e) {
    return null;
  }

  /**
   * What a received message's sender proved, after its name: nothing for the pinned key, {@code
   * (unverified)} for a plain sender, {@code (not the bob you trust)} for another key under a
   * pinned nickname.
   */
  static String sourceNote(NodeEvent.MessageReceived e) {
    if (!e.verified()) {
      return " (unverified)";
    }
    return e.unpinned() ? " (not the " + TerminalText.inline(e.from()) + " you trust)" : "";
  }

  /** How we talk to a peer, in a few words. */
  private static String security(Peer p, String trust) {
    return switch (trust) {
      case "plain" -> "plain, unverified";
      case "changed" -> "KEY CHANGED, refused until /trust";
      case "unpinned" ->
          "another peer of that name, id "
              + p.id().shortForm()
              + ", not trusted yet: /trust "
              + TerminalText.inline(p.nickname())
              + "#"
              + p.id().shortForm();
      default ->
          (p.has("tls") ? "encrypted, id " + p.id().shortForm() : "signed, not encrypted")
              + (p.has(MailFields.CAPABILITY) ? ", takes mail" : "");
    };
  }

  private String now() {
    return LocalTime.now(clock).format(CLOCK);
  }

  private AttributedStringBuilder line(String time) {
    return new AttributedStringBuilder()
        .style(colour ? AttributedStyle.DEFAULT.faint() : AttributedStyle.DEFAULT)
        .append("[" + time + "] ")
        .style(AttributedStyle.DEFAULT);
  }

  private static int columns(String text) {
    return new AttributedString(text).columnLength();
  }

  private AttributedString name(String nickname) {
    String shown = TerminalText.inline(nickname);
    if (!colour) {
      return new AttributedString(shown);
    }
    int colourIndex = PALETTE[Math.floorMod(nickname.hashCode(), PALETTE.length)];
    return new AttributedString(shown, AttributedStyle.DEFAULT.bold().foreground(colourIndex));
  }

  /** Prints a note; the caller has neutralised what came from the network. */
  private void note(String text) {
    screen.print(
        new AttributedString(
            text, colour ? AttributedStyle.DEFAULT.faint() : AttributedStyle.DEFAULT));
  }

  /** Prints a problem, neutralised whole: problems name peers and quote servers. */
  private void problem(String text) {
    screen.print(
        new AttributedString(
            "! " + TerminalText.inline(text),
            colour
                ? AttributedStyle.DEFAULT.foreground(AttributedStyle.RED)
                : AttributedStyle.DEFAULT));
  }
}
