package io.parlance.client.cli.tui;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStringBuilder;
import org.jline.utils.AttributedStyle;

/**
 * The full-screen chat's state: the conversations (the status one first, then one per peer, by its
 * id, or its nickname for a plain peer), each with its scrollback and unread count, which one is
 * shown, how far it is scrolled, and the status line; and the layout of all that as the rows of a
 * screen. Thread-safe: events, replies and keys change it from their own threads, and the screen
 * thread lays it out.
 *
 * <p>Every line it is given is already neutralised (the renderer put network text through {@code
 * TerminalText}); the names it shows in the list and header come from the network too, and go
 * through {@link #visible} here.
 */
public final class ChatView {

  /** The key of the status conversation: notes, replies, peers joining and leaving. */
  public static final String STATUS = "";

  /** The most lines a conversation keeps on screen (its history stays in the store). */
  public static final int MAX_LINES = 2000;

  /** What starts a line that continues a row too long for the pane: as wide as a time stamp. */
  static final String CONTINUATION = " ".repeat("[00:00:00] ".length());

  /** The rows the input may take at most, however many lines it has. */
  static final int MAX_INPUT_ROWS = 6;

  private static final String TICK = " ✓";

  /** One line of a conversation. */
  private static final class Entry {
    AttributedString text;
    final String messageId; // ours, to tick when delivered; else null

    Entry(AttributedString text, String messageId) {
      this.text = text;
      this.messageId = messageId;
    }
  }

  /** One conversation: with a peer, or the status one. */
  private static final class Conversation {
    final String key;
    String name;
    boolean online;
    String trust = "unknown"; // verified, plain, changed, unknown
    String via = "";
    int unread;
    final ArrayDeque<Entry> lines = new ArrayDeque<>();

    Conversation(String key, String name) {
      this.key = key;
      this.name = name;
    }
  }

  /**
   * A screen's worth of rows and where the cursor goes.
   *
   * @param rows exactly as many rows as the screen has, none wider than it
   * @param cursorRow the cursor's row
   * @param cursorColumn the cursor's column
   */
  public record Frame(List<AttributedString> rows, int cursorRow, int cursorColumn) {}

  private final boolean colour;
  private final Map<String, Conversation> conversations = new LinkedHashMap<>();
  private String current = STATUS;
  private int scroll; // lines of the current conversation hidden below the pane
  private String highlight; // the last search, marked in the pane
  private String searched; // the last search, to go on with
  private boolean found; // whether it found a line, which the next one starts above
  private String nickname = "";
  private String mode = "";
  private String bootstrap; // null in LAN mode
  private String tick; // the last delivery, for the status line
  private String notice; // a one-off hint for the status line (completions, search misses)

  /**
   * Creates the view with only the status conversation.
   *
   * @param colour true to colour (false when {@code NO_COLOR} is set or the terminal has none);
   *     bold and reverse video stay either way
   */
  public ChatView(boolean colour) {
    this.colour = colour;
    conversations.put(STATUS, new Conversation(STATUS, "parlance"));
  }

  // What the node tells

  /**
   * A peer is online: its conversation is made, or marked online.
   *
   * @param key the conversation's key (the peer's id, or its nickname for a plain peer)
   * @param name its nickname
   * @param trust {@code verified}, {@code plain} or {@code changed}
   * @param via how it is reached, e.g. {@code lan} or {@code internet}
   */
  public synchronized void peerOnline(String key, String name, String trust, String via) {
    Conversation c = conversation(key, name);
    c.name = Objects.requireNonNull(name, "name");
    c.online = true;
    c.trust = Objects.requireNonNull(trust, "trust");
    c.via = Objects.requireNonNull(via, "via");
  }

  /**
   * A peer left: its conversation stays, offline.
   *
   * @param key the conversation's key
   */
  public synchronized void peerOffline(String key) {
    Conversation c = conversations.get(key);
    if (c != null && !key.equals(STATUS)) {
      c.online = false;
    }
  }

  /**
   * Adds lines to a conversation, made if it is new. A message counts as unread unless its
   * conversation is the one shown; a conversation scrolled up stays where it is.
   *
   * @param key the conversation's key
   * @param name the peer's nickname, for a new conversation
   * @param lines the lines, neutralised, each of which may hold {@code \n}
   * @param messageId our message's id, to tick when it is delivered, or null
   * @param unread true for a message from the peer
   */
  public synchronized void add(
      String key, String name, List<AttributedString> lines, String messageId, boolean unread) {
    Conversation c = conversation(key, name);
    for (AttributedString line : lines) {
      c.lines.addLast(new Entry(line, messageId));
      if (c.lines.size() > MAX_LINES) {
        c.lines.removeFirst();
      }
      if (key.equals(current) && scroll > 0) {
        scroll = Math.min(scroll + 1, c.lines.size() - 1);
      }
    }
    if (unread && !key.equals(current)) {
      c.unread++;
    }
  }

  /**
   * Puts a conversation's earlier lines (an earlier run's messages, from the store) above those it
   * has, as many as fit in {@link #MAX_LINES} (the latest of them first); they count as read. A
   * conversation scrolled up keeps the lines it shows.
   *
   * @param key the conversation's key; nothing happens if there is no such conversation
   * @param lines the earlier lines, oldest first, neutralised
   */
  public synchronized void addEarlier(String key, List<AttributedString> lines) {
    Conversation c = conversations.get(key);
    if (c == null || key.equals(STATUS)) {
      return;
    }
    for (int i = lines.size() - 1; i >= 0 && c.lines.size() < MAX_LINES; i--) {
      c.lines.addFirst(new Entry(lines.get(i), null));
    }
  }

  /**
   * Adds lines to the conversation shown: replies to what was typed there.
   *
   * @param lines the lines, neutralised
   */
  public synchronized void addToCurrent(List<AttributedString> lines) {
    add(current, conversations.get(current).name, lines, null, false);
  }

  /**
   * Marks one of our messages delivered: its line gets a tick, and the status line says so.
   *
   * @param messageId the message's id
   * @param status what the status line says, e.g. {@code ✓ bob 14:02:11}
   */
  public synchronized void delivered(String messageId, String status) {
    tick = status;
    for (Conversation c : conversations.values()) {
      Iterator<Entry> back = c.lines.descendingIterator();
      for (int seen = 0; back.hasNext() && seen < 500; seen++) {
        Entry e = back.next();
        if (messageId.equals(e.messageId)) {
          if (!e.text.toString().endsWith(TICK)) {
            e.text =
                new AttributedStringBuilder()
                    .append(e.text)
                    .append(TICK, style(AttributedStyle.GREEN))
                    .toAttributedString();
          }
          return;
        }
      }
    }
  }

  /**
   * Sets who we are, for the status line.
   *
   * @param nickname our nickname
   * @param mode how peers are found, e.g. {@code lan on lo} or {@code internet}
   */
  public synchronized void self(String nickname, String mode) {
    this.nickname = Objects.requireNonNull(nickname, "nickname");
    this.mode = Objects.requireNonNull(mode, "mode");
  }

  /**
   * Sets our nickname.
   *
   * @param nickname the new one
   */
  public synchronized void nickname(String nickname) {
    this.nickname = Objects.requireNonNull(nickname, "nickname");
  }

  /**
   * Sets the bootstrap server's state, for the status line.
   *
   * @param state {@code registered}, {@code disconnected}, {@code refused}, ...
   */
  public synchronized void bootstrap(String state) {
    this.bootstrap = state;
  }

  /**
   * Shows a hint on the status line until the next key.
   *
   * @param text the hint, or null for none
   */
  public synchronized void notice(String text) {
    this.notice = text;
  }

  // What the user does

  /**
   * Shows a conversation, made if new; its unread count goes to 0 and it shows its latest lines.
   *
   * @param key the conversation's key
   * @param name the peer's nickname, for a new conversation
   */
  public synchronized void select(String key, String name) {
    conversation(key, name).unread = 0;
    current = key;
    scroll = 0;
  }

  /**
   * Shows the n-th conversation of the list (0 is the status one), if there is one.
   *
   * @param index the position in the list
   * @return true if there is one
   */
  public synchronized boolean select(int index) {
    List<String> keys = new ArrayList<>(conversations.keySet());
    if (index < 0 || index >= keys.size()) {
      return false;
    }
    select(keys.get(index), null);
    return true;
  }

  /** Shows the next conversation in the list, the first after the last. */
  public synchronized void next() {
    move(1);
  }

  /** Shows the previous conversation in the list, the last before the first. */
  public synchronized void previous() {
    move(-1);
  }

  private void move(int by) {
    List<String> keys = new ArrayList<>(conversations.keySet());
    int at = keys.indexOf(current);
    select(keys.get(Math.floorMod(at + by, keys.size())), null);
  }

  /**
   * Scrolls the shown conversation back.
   *
   * @param lines how many lines
   */
  public synchronized void pageUp(int lines) {
    int size = conversations.get(current).lines.size();
    scroll = Math.max(0, Math.min(scroll + Math.max(1, lines), size - 1));
  }

  /**
   * Scrolls the shown conversation forward, towards its latest line.
   *
   * @param lines how many lines
   */
  public synchronized void pageDown(int lines) {
    scroll = Math.max(0, scroll - Math.max(1, lines));
  }

  /**
   * Finds the latest line above those at the bottom of the pane that holds the text (ignoring
   * case), and scrolls so it is the bottom line; the text is marked until the next search.
   *
   * @param query what to find
   * @return true if a line holds it
   */
  public synchronized boolean find(String query) {
    if (query.isEmpty()) {
      highlight = null;
      return false;
    }
    highlight = query;
    List<Entry> lines = new ArrayList<>(conversations.get(current).lines);
    String wanted = query.toLowerCase(Locale.ROOT);
    // The same search again goes on above the line it found; a new one starts at the bottom.
    boolean again = query.equals(searched) && found;
    int from = lines.size() - 1 - scroll - (again ? 1 : 0);
    searched = query;
    for (int i = from; i >= 0; i--) {
      if (lines.get(i).text.toString().toLowerCase(Locale.ROOT).contains(wanted)) {
        scroll = lines.size() - 1 - i;
        found = true;
        return true;
      }
    }
    found = false;
    return false;
  }

  /**
   * Finds the text (ignoring case) in every conversation, peers and rooms alike: first above the
   * last line found in the shown one (as {@link #find}), then from the latest line up in each
   * conversation after it in the list, coming round to the shown one last. The conversation that
   * holds it is shown (its unread count goes to 0), scrolled so the line is the bottom one, and the
   * text is marked. The same search again goes on to the next line that holds it, so each press
   * jumps to the next result, conversation after conversation.
   *
   * @param query what to find
   * @return the key of the conversation shown with the line, or null if no conversation holds it
   */
  public synchronized String findEverywhere(String query) {
    if (find(query)) {
      return current;
    }
    if (query.isEmpty()) {
      return null;
    }
    String wanted = query.toLowerCase(Locale.ROOT);
    List<String> keys = new ArrayList<>(conversations.keySet());
    int at = keys.indexOf(current);
    for (int step = 1; step <= keys.size(); step++) {
      String key = keys.get(Math.floorMod(at + step, keys.size()));
      List<Entry> lines = new ArrayList<>(conversations.get(key).lines);
      for (int i = lines.size() - 1; i >= 0; i--) {
        if (lines.get(i).text.toString().toLowerCase(Locale.ROOT).contains(wanted)) {
          select(key, null);
          scroll = lines.size() - 1 - i;
          highlight = query;
          searched = query;
          found = true;
          return key;
        }
      }
    }
    return null;
  }

  /**
   * Counts the lines that hold a text (ignoring case), in every conversation.
   *
   * @param query what to count
   * @return how many lines hold it, and in how many conversations
   */
  public synchronized Matches matches(String query) {
    if (query.isEmpty()) {
      return new Matches(0, 0);
    }
    String wanted = query.toLowerCase(Locale.ROOT);
    int lines = 0;
    int holding = 0;
    for (Conversation c : conversations.values()) {
      int here = 0;
      for (Entry e : c.lines) {
        if (e.text.toString().toLowerCase(Locale.ROOT).contains(wanted)) {
          here++;
        }
      }
      lines += here;
      holding += here > 0 ? 1 : 0;
    }
    return new Matches(lines, holding);
  }

  /**
   * How often a search matched.
   *
   * @param lines the lines that hold the text
   * @param conversations the conversations they are in
   */
  public record Matches(int lines, int conversations) {}

  /** Ends a search: nothing is marked, the conversation shows its latest lines. */
  public synchronized void endSearch() {
    highlight = null;
    searched = null;
    found = false;
    scroll = 0;
  }

  /** Empties the shown conversation's scrollback. */
  public synchronized void clear() {
    conversations.get(current).lines.clear();
    scroll = 0;
  }

  // What the faces read

  /**
   * Returns the shown conversation's key.
   *
   * @return the key, {@link #STATUS} for the status one
   */
  public synchronized String current() {
    return current;
  }

  /**
   * Returns the name of a conversation.
   *
   * @param key its key
   * @return the peer's nickname, or null for no such conversation
   */
  public synchronized String name(String key) {
    Conversation c = conversations.get(key);
    return c == null ? null : c.name;
  }

  /**
   * Returns the conversations' keys, as listed.
   *
   * @return the keys, the status one first
   */
  public synchronized List<String> keys() {
    return List.copyOf(conversations.keySet());
  }

  /**
   * Returns a conversation's unread count.
   *
   * @param key its key
   * @return messages received while another was shown, 0 for none or no such conversation
   */
  public synchronized int unread(String key) {
    Conversation c = conversations.get(key);
    return c == null ? 0 : c.unread;
  }

  /**
   * Tells whether a conversation's peer is online.
   *
   * @param key its key
   * @return true if online
   */
  public synchronized boolean online(String key) {
    Conversation c = conversations.get(key);
    return c != null && c.online;
  }

  /**
   * Returns a conversation's lines, as plain text.
   *
   * @param key its key
   * @return the lines, oldest first
   */
  public synchronized List<String> lines(String key) {
    Conversation c = conversations.get(key);
    return c == null ? List.of() : c.lines.stream().map(e -> e.text.toString()).toList();
  }

  /**
   * Returns how many lines of the shown conversation are hidden below the pane.
   *
   * @return 0 when it shows the latest
   */
  public synchronized int scroll() {
    return scroll;
  }

  // The layout

  /**
   * Lays the screen out: the conversations on the left (if it is wide enough), the shown one's
   * header and scrollback on the right, then the status line, then the input.
   *
   * @param width the screen's columns
   * @param height the screen's rows
   * @param input what is typed
   * @param prompt what goes before it, e.g. {@code bob> }
   * @return the rows and the cursor
   */
  public synchronized Frame layout(int width, int height, InputLine.Snapshot input, String prompt) {
    int w = Math.max(1, width);
    int h = Math.max(1, height);
    List<AttributedString> inputRows = new ArrayList<>();
    int[] cursor = inputRows(input, visible(prompt), w, inputRows);
    int keep = Math.max(1, Math.min(Math.min(MAX_INPUT_ROWS, inputRows.size()), h - 1));
    int first = Math.max(0, Math.min(cursor[0] - keep + 1, inputRows.size() - keep));
    List<AttributedString> shownInput = inputRows.subList(first, first + keep);
    int bodyRows = Math.max(0, h - keep - 1);

    List<AttributedString> rows = new ArrayList<>(h);
    int side = w >= 64 ? Math.min(24, w / 4) : 0;
    // The last column stays empty: a terminal that wraps on writing it would scroll the screen.
    int usable = Math.max(1, w - 1);
    int paneWidth = side > 0 ? usable - side - 1 : usable;
    List<AttributedString> list = side > 0 ? listRows(side, bodyRows) : List.of();
    List<AttributedString> pane = paneRows(paneWidth, bodyRows);
    for (int i = 0; i < bodyRows; i++) {
      AttributedStringBuilder row = new AttributedStringBuilder();
      if (side > 0) {
        row.append(fit(list.get(i), side)).append("▏", style(AttributedStyle.BLUE));
      }
      row.append(pane.get(i));
      rows.add(cut(row.toAttributedString(), usable));
    }
    if (h > 1) {
      rows.add(statusRow(usable));
    }
    for (AttributedString r : shownInput) {
      rows.add(cut(r, usable));
    }
    while (rows.size() > h) {
      rows.remove(0);
    }
    int cursorRow = rows.size() - keep + (cursor[0] - first);
    return new Frame(List.copyOf(rows), cursorRow, Math.min(cursor[1], usable - 1));
  }

  /** The input's rows, wrapped; returns the cursor's row (in these rows) and column. */
  private static int[] inputRows(
      InputLine.Snapshot input, String prompt, int width, List<AttributedString> rows) {
    int usable = Math.max(1, width - 1);
    String indent = " ".repeat(Math.min(new AttributedString(prompt).columnLength(), usable - 1));
    String text = input.text();
    int cursorAt = input.cursor();
    int[] cursor = {0, 0};
    int start = 0;
    boolean firstLine = true;
    while (true) {
      int end = text.indexOf('\n', start);
      int stop = end < 0 ? text.length() : end;
      String lead = firstLine ? prompt : indent;
      String before = visible(text.substring(start, Math.max(start, Math.min(cursorAt, stop))));
      AttributedString line = new AttributedString(lead + visible(text.substring(start, stop)));
      List<AttributedString> parts = line.columnSplitLength(usable);
      if (parts.isEmpty()) {
        parts = List.of(AttributedString.EMPTY);
      }
      if (cursorAt >= start && cursorAt <= stop) {
        int col = new AttributedString(lead + before).columnLength();
        cursor[0] = rows.size() + col / usable;
        cursor[1] = col % usable;
      }
      rows.addAll(parts);
      if (rows.size() <= cursor[0]) {
        rows.add(AttributedString.EMPTY); // the cursor at the end of a full row
      }
      if (end < 0) {
        return cursor;
      }
      start = end + 1;
      firstLine = false;
    }
  }

  private List<AttributedString> listRows(int width, int height) {
    List<AttributedString> rows = new ArrayList<>();
    rows.add(new AttributedString(" Chats", AttributedStyle.DEFAULT.bold()));
    int index = 0;
    for (Conversation c : conversations.values()) {
      AttributedStringBuilder b = new AttributedStringBuilder();
      boolean shown = c.key.equals(current);
      b.append(shown ? ">" : " ");
      b.append(index < 10 ? Integer.toString(index) : " ");
      if (c.key.equals(STATUS) || EventRoutes.roomOf(c.key) != null) {
        b.append("  "); // a room is not online or offline: its members are
      } else if (c.online) {
        b.append(" ●", style(AttributedStyle.GREEN));
      } else {
        b.append(" ○");
      }
      b.append(" ");
      b.append(visible(c.name), shown ? AttributedStyle.DEFAULT.bold() : AttributedStyle.DEFAULT);
      switch (c.trust) {
        case "plain" -> b.append(" ?");
        case "changed" -> b.append(" !", style(AttributedStyle.RED));
        default -> {}
      }
      String count = c.unread > 0 ? " " + (c.unread > 999 ? "999+" : c.unread) : "";
      AttributedString start = b.toAttributedString();
      int room = width - count.length();
      AttributedStringBuilder row = new AttributedStringBuilder().append(fit(start, room));
      row.append(
          count, colour ? style(AttributedStyle.YELLOW).bold() : AttributedStyle.DEFAULT.bold());
      rows.add(row.toAttributedString());
      index++;
    }
    while (rows.size() > height) {
      rows.remove(rows.size() - 1);
    }
    while (rows.size() < height) {
      rows.add(AttributedString.EMPTY);
    }
    return rows;
  }

  private List<AttributedString> paneRows(int width, int height) {
    List<AttributedString> rows = new ArrayList<>();
    if (height == 0) {
      return rows;
    }
    Conversation c = conversations.get(current);
    rows.add(cut(header(c), width));
    List<Entry> lines = new ArrayList<>(c.lines);
    int last = lines.size() - 1 - scroll;
    List<AttributedString> body = new ArrayList<>();
    for (int i = last; i >= 0 && body.size() < height - 1; i--) {
      List<AttributedString> wrapped = wrap(marked(lines.get(i).text), width);
      for (int j = wrapped.size() - 1; j >= 0 && body.size() < height - 1; j--) {
        body.add(0, wrapped.get(j));
      }
    }
    while (body.size() < height - 1) {
      body.add(0, AttributedString.EMPTY);
    }
    rows.addAll(body);
    return rows;
  }

  private AttributedString header(Conversation c) {
    AttributedStringBuilder b = new AttributedStringBuilder();
    if (c.key.equals(STATUS)) {
      b.append(" parlance", AttributedStyle.DEFAULT.bold());
      b.append(" · notes and replies · /query <peer> opens a chat, Ctrl-N/Ctrl-P switch");
      return b.toAttributedString();
    }
    b.append(" " + visible(c.name), AttributedStyle.DEFAULT.bold());
    if (EventRoutes.roomOf(c.key) != null) {
      String name = c.name.startsWith("#") ? c.name.substring(1) : c.name;
      b.append(
          " · room · plain text goes to its members; /members " + visible(name) + " lists them");
      return b.toAttributedString();
    }
    b.append(c.online ? " · online" : " · offline");
    if (c.online) {
      b.append(" · direct (" + visible(c.via) + ")");
    }
    b.append(
        switch (c.trust) {
          case "verified" -> " · encrypted, key pinned";
          case "plain" -> " · plain, unverified";
          case "changed" -> " · KEY CHANGED, refused until /trust";
          default -> "";
        });
    return b.toAttributedString();
  }

  private AttributedString marked(AttributedString text) {
    if (highlight == null) {
      return text;
    }
    AttributedStringBuilder b = new AttributedStringBuilder().append(text);
    b.styleMatches(
        Pattern.compile(Pattern.quote(highlight), Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE),
        AttributedStyle.DEFAULT.inverse());
    return b.toAttributedString();
  }

  private AttributedString statusRow(int width) {
    List<String> parts = new ArrayList<>();
    parts.add(visible(nickname));
    if (!mode.isEmpty()) {
      parts.add(mode);
    }
    if (bootstrap != null) {
      parts.add("bootstrap: " + visible(bootstrap));
    }
    int elsewhere = 0;
    for (Conversation c : conversations.values()) {
      elsewhere += c.unread;
    }
    if (elsewhere > 0) {
      parts.add(elsewhere + " unread");
    }
    if (tick != null) {
      parts.add(tick);
    }
    if (scroll > 0) {
      parts.add("scrolled up " + scroll + " (PgDn)");
    }
    if (notice != null) {
      parts.add(visible(notice));
    }
    AttributedStyle bar =
        colour
            ? AttributedStyle.DEFAULT
                .background(AttributedStyle.BLUE)
                .foreground(AttributedStyle.WHITE)
            : AttributedStyle.DEFAULT.inverse();
    String text = " " + String.join(" · ", parts);
    AttributedString fitted = fit(new AttributedString(text), width);
    return new AttributedString(fitted.toString(), bar);
  }

  /**
   * Breaks a line at {@code \n} and at the width, between words where it can (a word longer than a
   * row is cut), continuation rows indented: under the second column of a two-column line (help's
   * "command, then description" lines), else by a timestamp's width.
   */
  static List<AttributedString> wrap(AttributedString text, int width) {
    List<AttributedString> rows = new ArrayList<>();
    String plain = text.toString();
    int start = 0;
    while (true) {
      int end = plain.indexOf('\n', start);
      AttributedString line = text.subSequence(start, end < 0 ? plain.length() : end);
      int usable = Math.max(1, width);
      String indent = continuation(line.toString());
      if (line.columnLength() <= usable || usable <= indent.length() + 1) {
        rows.addAll(line.columnLength() <= usable ? List.of(line) : line.columnSplitLength(usable));
      } else {
        AttributedString rest = line;
        boolean first = true;
        while (true) {
          int room = first ? usable : usable - indent.length();
          boolean last = rest.columnLength() <= room;
          int cut = last ? rest.length() : breakPoint(rest, room);
          AttributedString piece = rest.subSequence(0, cut);
          rows.add(
              first
                  ? piece
                  : new AttributedStringBuilder()
                      .append(indent)
                      .append(piece)
                      .toAttributedString());
          if (last) {
            break;
          }
          int next = cut < rest.length() && rest.charAt(cut) == ' ' ? cut + 1 : cut;
          rest = rest.subSequence(next, rest.length());
          first = false;
        }
      }
      if (end < 0) {
        return rows;
      }
      start = end + 1;
    }
  }

  /** How far in a two-column line's second column may begin. */
  private static final int MAX_FIRST_COLUMN = 40;

  /**
   * The indent of a line's continuation rows: up to its second column when it is a two-column line
   * (it begins with text, not a space or a {@code [} time, and a gap of two or more spaces ends
   * within {@link #MAX_FIRST_COLUMN} columns), else {@link #CONTINUATION}.
   */
  static String continuation(String line) {
    if (line.isEmpty() || line.charAt(0) == ' ' || line.charAt(0) == '[') {
      return CONTINUATION;
    }
    int gap = line.indexOf("  ");
    if (gap < 0) {
      return CONTINUATION;
    }
    int second = gap;
    while (second < line.length() && line.charAt(second) == ' ') {
      second++;
    }
    return second < line.length() && second <= MAX_FIRST_COLUMN ? " ".repeat(second) : CONTINUATION;
  }

  /**
   * Where a row of at most {@code room} columns ends in {@code line}, in chars: after the last
   * whole word that fits, or at the room itself when a single word is longer (at least one char).
   */
  private static int breakPoint(AttributedString line, int room) {
    int fits = line.columnSubSequence(0, room).length();
    if (fits < line.length() && line.charAt(fits) == ' ') {
      return fits;
    }
    int space = line.subSequence(0, fits).toString().lastIndexOf(' ');
    return space > 0 ? space : Math.max(1, fits);
  }

  /** Cuts a row to at most the width, in columns. */
  static AttributedString cut(AttributedString row, int width) {
    return row.columnLength() > width ? row.columnSubSequence(0, Math.max(0, width)) : row;
  }

  /** Cuts or pads a row to exactly the width, in columns. */
  static AttributedString fit(AttributedString row, int width) {
    if (width <= 0) {
      return AttributedString.EMPTY;
    }
    AttributedString cut = row.columnLength() > width ? row.columnSubSequence(0, width) : row;
    int pad = width - cut.columnLength();
    return pad == 0
        ? cut
        : new AttributedStringBuilder().append(cut).append(" ".repeat(pad)).toAttributedString();
  }

  /**
   * Shows control characters as their pictures, so a name or typed text cannot drive the terminal.
   *
   * @param text the text
   * @return the text, safe on one row
   */
  static String visible(String text) {
    StringBuilder out = new StringBuilder(text.length());
    text.codePoints()
        .forEach(
            c -> {
              if (c < 0x20) {
                out.append((char) (0x2400 + c));
              } else if (c == 0x7f) {
                out.append('\u2421');
              } else if (c >= 0x80 && c <= 0x9f) {
                out.append(String.format(Locale.ROOT, "\\x%02x", c));
              } else if ((c >= 0x202a && c <= 0x202e)
                  || (c >= 0x2066 && c <= 0x2069)
                  || c == 0x200e
                  || c == 0x200f
                  || c == 0x061c) {
                out.append(String.format(Locale.ROOT, "<U+%04X>", c));
              } else {
                out.appendCodePoint(c);
              }
            });
    return out.toString();
  }

  private AttributedStyle style(int foreground) {
    return colour ? AttributedStyle.DEFAULT.foreground(foreground) : AttributedStyle.DEFAULT;
  }

  private Conversation conversation(String key, String name) {
    return conversations.computeIfAbsent(
        Objects.requireNonNull(key, "key"), k -> new Conversation(k, name == null ? k : name));
  }
}
