package io.parlance.client.cli;

import io.parlance.client.cli.tui.ChatView;
import io.parlance.client.cli.tui.Completion;
import io.parlance.client.cli.tui.EventRoutes;
import io.parlance.client.cli.tui.InputLine;
import io.parlance.client.node.NodeEvent;
import io.parlance.client.node.OwnThread;
import io.parlance.client.node.PeerNode;
import io.parlance.client.node.Rooms;
import io.parlance.client.node.SendException;
import io.parlance.client.peer.Peer;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.jline.keymap.BindingReader;
import org.jline.keymap.KeyMap;
import org.jline.reader.History;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.terminal.Attributes;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;
import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStyle;
import org.jline.utils.Display;
import org.jline.utils.InfoCmp.Capability;

/**
 * The full-screen chat on a real terminal: reads keys on the calling thread and draws the {@link
 * ChatView} on a thread of its own with JLine's {@link Display}, which rewrites only the rows that
 * changed. Typed lines go through the {@link CommandExecutor}; plain text goes to the conversation
 * shown. Replies and events are rendered by {@link TerminalRenderer} (every network text through
 * {@link TerminalText}) and routed to their conversations by {@link EventRoutes}.
 */
final class FullScreenMode {

  /** The keys the chat's own help lists, after the commands. */
  static final List<String> KEYS_HELP =
      List.of(
          "/query <peer>                talk to a peer: plain text then goes to it",
          "//text                       send text that starts with a /",
          "Ctrl-N, Ctrl-P, Alt-0..9     next, previous, n-th conversation (0: status)",
          "PgUp, PgDn                   scroll the conversation",
          "Ctrl-F                       find in every conversation; again: the next (Esc ends)",
          "Alt-Enter                    a new line in the message; Enter sends it",
          "Tab, Up, Down                complete a command or name; earlier lines",
          "Ctrl-L                       redraw; Ctrl-C or Ctrl-D on an empty line: quit");

  private enum Op {
    INSERT,
    SUBMIT,
    NEWLINE,
    BACKSPACE,
    DELETE,
    DELETE_WORD,
    KILL_LINE,
    LEFT,
    RIGHT,
    HOME,
    END,
    UP,
    DOWN,
    PAGE_UP,
    PAGE_DOWN,
    COMPLETE,
    NEXT_CHAT,
    PREVIOUS_CHAT,
    SELECT_CHAT,
    FIND,
    CANCEL,
    REDRAW,
    INTERRUPT,
    EOF,
    IGNORE
  }

  /** The most messages of an earlier run a conversation shows when it first appears. */
  static final int EARLIER = 50;

  /** The line between an earlier run's messages and this run's. */
  static final String EARLIER_DIVIDER = "··· earlier messages above (/history for more) ···";

  private final PeerNode node;
  private final Terminal terminal;
  private final ChatView view;
  private final EventRoutes routes;
  private final TerminalRenderer renderer;
  private final CommandExecutor.Client client;
  private final Path historyFile;
  private final ZoneId zone;
  private final Set<String> earlierAsked = ConcurrentHashMap.newKeySet();
  private History history; // from run() on
  private final InputLine input = new InputLine();

  private final List<AttributedString> captured = new ArrayList<>(); // guarded by renderer
  private boolean clearRequested; // guarded by renderer

  private final Object screenLock = new Object();
  private boolean dirty = true; // guarded by screenLock
  private boolean resized = true; // guarded by screenLock
  private boolean running = true; // guarded by screenLock
  private volatile InputLine.Snapshot shownInput = input.snapshot();
  private volatile String prompt = "";
  private volatile boolean finding;

  FullScreenMode(PeerNode node, Terminal terminal, Path historyFile, boolean colour) {
    this.node = node;
    this.terminal = terminal;
    this.view = new ChatView(colour);
    Clock clock = Clock.systemDefaultZone();
    this.zone = clock.getZone();
    this.routes = new EventRoutes(view, node::trustOf, clock);
    this.historyFile = historyFile;
    this.renderer =
        new TerminalRenderer(
            new TerminalRenderer.Screen() {
              @Override
              public void print(AttributedString text) {
                captured.add(text);
              }

              @Override
              public void clear() {
                clearRequested = true;
              }
            },
            colour,
            node::trustOf,
            clock);
    this.client =
        new CommandExecutor(node, null)
            .open(
                new CommandExecutor.Face() {
                  @Override
                  public void reply(Reply reply) {
                    showReply(reply);
                  }

                  @Override
                  public void event(NodeEvent event) {
                    showEvent(event);
                  }
                },
                true);
  }

  ChatView view() {
    return view;
  }

  private void showReply(Reply reply) {
    boolean clear;
    List<AttributedString> lines;
    synchronized (renderer) {
      captured.clear();
      clearRequested = false;
      reply.accept(renderer);
      if (reply instanceof Reply.Help) {
        KEYS_HELP.forEach(line -> captured.add(new AttributedString(line, faint())));
      }
      lines = List.copyOf(captured);
      clear = clearRequested;
    }
    if (clear) {
      view.clear();
    }
    if (!lines.isEmpty()) {
      view.addToCurrent(lines);
    }
    redraw(false);
  }

  private void showEvent(NodeEvent event) {
    EventRoutes.Route route = event.accept(routes);
    if (!route.keys().isEmpty()) {
      List<AttributedString> lines;
      synchronized (renderer) {
        captured.clear();
        event.accept(renderer);
        lines = List.copyOf(captured);
      }
      Set<String> keys = new LinkedHashSet<>();
      for (String key : route.keys()) {
        keys.add(key.equals(EventRoutes.CURRENT) ? view.current() : key);
      }
      if (!lines.isEmpty()) {
        for (String key : keys) {
          view.add(key, route.name(), lines, route.messageId(), route.unread());
        }
      }
    }
    showEarlier();
    redraw(false);
  }

  /**
   * Shows, above what each new conversation holds, the messages an earlier run stored for it (at
   * most {@link #EARLIER}), once per conversation, as soon as the node runs: a chat opened again
   * goes on where it was. What came in this run is shown as it came, never twice.
   */
  private void showEarlier() {
    if (!node.isRunning()) {
      return;
    }
    PeerNode.Earlier marks = node.earlier();
    for (String key : view.keys()) {
      if (key.equals(ChatView.STATUS) || !earlierAsked.add(key)) {
        continue;
      }
      String room = EventRoutes.roomOf(key);
      CompletableFuture<List<String>> earlier;
      try {
        earlier =
            room != null
                ? node.rooms()
                    .history(room, EARLIER)
                    .thenApply(
                        rows ->
                            rows.stream()
                                .filter(r -> r.createdMs() < marks.startedAtMillis())
                                .map(r -> StoredLines.line(r, roomName(key), zone))
                                .toList())
                : node.history(key, EARLIER)
                    .thenApply(
                        messages ->
                            messages.stream()
                                .filter(marks::before)
                                .map(m -> StoredLines.line(m, zone))
                                .toList());
      } catch (IllegalStateException stopped) {
        return;
      }
      earlier.whenComplete(
          (found, failure) -> {
            if (failure == null && !found.isEmpty()) {
              List<AttributedString> lines = new ArrayList<>();
              found.forEach(line -> lines.add(new AttributedString(line, faint())));
              lines.add(new AttributedString(EARLIER_DIVIDER, faint()));
              view.addEarlier(key, lines);
              redraw(false);
            }
          });
    }
  }

  private String roomName(String key) {
    String name = view.name(key);
    return name != null && name.startsWith("#") ? name.substring(1) : String.valueOf(name);
  }

  private AttributedStyle faint() {
    return AttributedStyle.DEFAULT.faint();
  }

  /**
   * Runs until /quit, Ctrl-C or Ctrl-D on an empty line; the caller stops the node. The screen is
   * drawn while the node starts beside it; keys are read once it has started (what is typed before
   * waits in the terminal).
   *
   * @param started the node's start, begun after this front was made (so it hears every event)
   * @throws InterruptedException if interrupted while the node starts
   * @throws RuntimeException what the node's start failed with, once the screen is restored
   */
  void run(Future<?> started) throws InterruptedException {
    // The history file is the line chat's (JLine's format), so both modes recall the same lines.
    history =
        LineReaderBuilder.builder()
            .terminal(terminal)
            .appName("parlance")
            .variable(LineReader.HISTORY_FILE, historyFile)
            .build()
            .getHistory();
    try {
      history.load();
    } catch (IOException | IllegalArgumentException e) {
      view.addToCurrent(
          List.of(new AttributedString("! Could not read the line history: " + e.getMessage())));
    }
    List<String> earlier = new ArrayList<>();
    history.forEach(entry -> earlier.add(entry.line()));
    input.remember(earlier);

    Attributes saved = terminal.enterRawMode();
    Attributes raw = terminal.getAttributes();
    raw.setLocalFlag(Attributes.LocalFlag.ISIG, false); // Ctrl-C is a key here, not a signal
    terminal.setAttributes(raw);
    Terminal.SignalHandler previous = terminal.handle(Terminal.Signal.WINCH, s -> redraw(true));
    terminal.puts(Capability.enter_ca_mode);
    terminal.puts(Capability.keypad_xmit);
    terminal.flush();
    Thread painter = new Thread(this::paint, "parlance-screen");
    painter.setDaemon(true);
    painter.start();
    try {
      OwnThread.result(started);
      showEarlier(); // for conversations made while the node started
      keys();
    } finally {
      synchronized (screenLock) {
        running = false;
        screenLock.notifyAll();
      }
      try {
        painter.join(2000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      terminal.puts(Capability.keypad_local);
      terminal.puts(Capability.exit_ca_mode);
      terminal.flush();
      terminal.handle(Terminal.Signal.WINCH, previous);
      terminal.setAttributes(saved);
      try {
        history.save();
      } catch (IOException e) {
        terminal.writer().println("Could not save the line history: " + e.getMessage());
      }
    }
  }

  private void keys() {
    KeyMap<Op> map = keyMap();
    BindingReader reader = new BindingReader(terminal.reader());
    prompt();
    while (true) {
      Op op = reader.readBinding(map);
      if (op == null) {
        return; // the terminal closed
      }
      view.notice(null);
      String typed = reader.getLastBinding();
      switch (op) {
        case INSERT -> {
          if (!input.insert(typed)) {
            view.notice("the message is at its longest (" + InputLine.MAX_LENGTH + " characters)");
          }
        }
        case SUBMIT -> {
          if (!submit()) {
            return;
          }
        }
        case NEWLINE -> {
          if (!finding) {
            input.insert("\n");
          }
        }
        case BACKSPACE -> input.backspace();
        case DELETE -> input.delete();
        case DELETE_WORD -> input.deleteWord();
        case KILL_LINE -> input.clear();
        case LEFT -> input.left();
        case RIGHT -> input.right();
        case HOME -> input.home();
        case END -> input.end();
        case UP -> input.previous();
        case DOWN -> input.next();
        case PAGE_UP -> view.pageUp(page());
        case PAGE_DOWN -> view.pageDown(page());
        case COMPLETE -> complete();
        case NEXT_CHAT -> view.next();
        case PREVIOUS_CHAT -> view.previous();
        case SELECT_CHAT -> {
          if (!view.select(typed.charAt(typed.length() - 1) - '0')) {
            view.notice("no conversation " + typed.charAt(typed.length() - 1));
          }
        }
        case FIND -> {
          if (finding && !input.text().isEmpty()) {
            find(input.text());
          } else {
            finding = true;
            input.clear();
          }
        }
        case CANCEL -> {
          if (finding) {
            finding = false;
            input.clear();
            view.endSearch();
          }
        }
        case REDRAW -> {
          redraw(true);
          continue;
        }
        case INTERRUPT -> {
          if (finding) {
            finding = false;
            input.clear();
            view.endSearch();
          } else {
            return;
          }
        }
        case EOF -> {
          if (input.text().isEmpty()) {
            return;
          }
          input.delete();
        }
        default -> {} // IGNORE: a key the chat does not use
      }
      prompt();
    }
  }

  private int page() {
    return Math.max(1, terminal.getHeight() - 4);
  }

  private void prompt() {
    String key = view.current();
    prompt =
        finding
            ? "find: "
            : (key.equals(ChatView.STATUS) ? node.nickname() : view.name(key)) + "> ";
    shownInput = input.snapshot();
    redraw(false);
  }

  private void find(String query) {
    String shown = view.current();
    String key = view.findEverywhere(query);
    if (key == null) {
      view.notice(
          "'" + query + "' is in no conversation here (/search " + query + " searches the store)");
      return;
    }
    ChatView.Matches matches = view.matches(query);
    String where = key.equals(ChatView.STATUS) ? "the status window" : view.name(key);
    view.notice(
        (key.equals(shown) ? "found" : "found in " + where)
            + ": "
            + matches.lines()
            + (matches.lines() == 1 ? " line" : " lines")
            + " in "
            + matches.conversations()
            + (matches.conversations() == 1 ? " conversation" : " conversations")
            + "; Ctrl-F: the next");
  }

  /** Runs the typed line; false to quit. */
  private boolean submit() {
    if (finding) {
      find(input.text());
      return true;
    }
    String text = input.take();
    if (!text.isBlank()) {
      history.add(text);
    }
    if (text.isBlank()) {
      return true;
    }
    if (text.startsWith("//")) {
      return sendHere(text.substring(1));
    }
    if (text.startsWith("/")) {
      String first = text.strip().split("\\s+", 2)[0];
      if (first.equalsIgnoreCase("/query")) {
        query(text.strip().substring(first.length()).strip());
        return true;
      }
      return client.line(text);
    }
    return sendHere(text);
  }

  private boolean sendHere(String text) {
    String key = view.current();
    if (key.equals(ChatView.STATUS)) {
      view.addToCurrent(
          List.of(
              problem(
                  "This is the status window: '/query <peer>' opens a conversation (Ctrl-N goes"
                      + " to the next one), or '/send <peer> <text>' sends from here.")));
      return true;
    }
    String room = EventRoutes.roomOf(key);
    if (room != null) {
      return client.execute(new Command.RoomCommand("say", room, text));
    }
    return client.execute(new Command.Send(target(key), text));
  }

  /** How to name a conversation's peer to the node: its nickname, qualified if two share it. */
  private String target(String key) {
    List<Peer> peers = node.peers();
    for (Peer p : peers) {
      if (EventRoutes.key(p).equals(key)) {
        long sharing = peers.stream().filter(q -> q.nickname().equals(p.nickname())).count();
        return sharing > 1 ? p.qualifiedName() : p.nickname();
      }
    }
    return view.name(key);
  }

  private void query(String written) {
    if (written.isEmpty()) {
      view.addToCurrent(List.of(problem("usage: /query <peer>")));
      return;
    }
    if (written.startsWith("#") && queryRoom(written.substring(1))) {
      return;
    }
    String name = Command.unescapeName(written, CommandExecutor.names(node.peers()));
    try {
      Peer peer = node.resolve(name);
      view.peerOnline(EventRoutes.key(peer), peer.nickname(), node.trustOf(peer), peer.source());
      view.select(EventRoutes.key(peer), peer.nickname());
      showEarlier();
      return;
    } catch (SendException e) {
      for (String key : view.keys()) {
        if (!key.equals(ChatView.STATUS) && name.equals(view.name(key))) {
          view.select(key, name); // a peer we talked with, offline now
          return;
        }
      }
      view.addToCurrent(List.of(problem(e.getMessage())));
    }
  }

  /** Opens a room's conversation, by its name or the start of its id; false if none matches. */
  private boolean queryRoom(String ref) {
    try {
      Rooms.Info room = node.rooms().info(ref).get(5, TimeUnit.SECONDS);
      view.select(EventRoutes.roomKey(room.id()), "#" + room.name());
      showEarlier();
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException | TimeoutException | IllegalStateException e) {
      return false;
    }
  }

  private void complete() {
    if (finding) {
      return;
    }
    List<String> commands =
        Stream.concat(Command.NAMES.stream(), Stream.of("/query", "/msg", "/users"))
            .distinct()
            .sorted()
            .toList();
    List<String> names = new ArrayList<>();
    List<Peer> peers = node.peers();
    for (Peer p : peers) {
      boolean shared = peers.stream().filter(q -> q.nickname().equals(p.nickname())).count() > 1;
      names.add(shared ? p.qualifiedName() : p.nickname());
    }
    InputLine.Snapshot now = input.snapshot();
    Completion.Result done = Completion.complete(now.text(), now.cursor(), commands, names);
    input.set(done.text().substring(0, done.cursor()));
    String after = done.text().substring(done.cursor());
    input.insert(after);
    for (int i = 0; i < after.length(); i++) {
      input.left();
    }
    if (!done.candidates().isEmpty()) {
      view.notice(String.join("  ", done.candidates()));
    }
  }

  private AttributedString problem(String text) {
    return new AttributedString("! " + text, AttributedStyle.DEFAULT.bold());
  }

  private void redraw(boolean full) {
    synchronized (screenLock) {
      dirty = true;
      resized |= full;
      screenLock.notifyAll();
    }
  }

  /** The screen thread: lays the view out and draws what changed, whenever something did. */
  private void paint() {
    Display display = new Display(terminal, true);
    while (true) {
      boolean full;
      synchronized (screenLock) {
        while (running && !dirty) {
          try {
            screenLock.wait();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          }
        }
        if (!running) {
          return;
        }
        dirty = false;
        full = resized;
        resized = false;
      }
      Size size = terminal.getSize();
      int rows = Math.max(1, size.getRows());
      int columns = Math.max(1, size.getColumns());
      if (full) {
        display.resize(rows, columns);
        display.clear();
      }
      ChatView.Frame frame = view.layout(columns, rows, shownInput, prompt);
      display.update(
          new ArrayList<>(frame.rows()), size.cursorPos(frame.cursorRow(), frame.cursorColumn()));
      terminal.flush();
    }
  }

  private KeyMap<Op> keyMap() {
    KeyMap<Op> map = new KeyMap<>();
    map.setUnicode(Op.INSERT);
    map.setNomatch(Op.IGNORE);
    for (char c = 32; c < 127; c++) {
      map.bind(Op.INSERT, Character.toString(c));
    }
    map.bind(Op.SUBMIT, "\r", "\n");
    map.bind(Op.NEWLINE, KeyMap.alt('\r'), KeyMap.alt('\n'));
    map.bind(Op.BACKSPACE, KeyMap.del(), KeyMap.ctrl('H'));
    map.bind(Op.DELETE, "\033[3~");
    map.bind(Op.DELETE_WORD, KeyMap.ctrl('W'), KeyMap.alt(KeyMap.del()));
    map.bind(Op.KILL_LINE, KeyMap.ctrl('U'));
    map.bind(Op.LEFT, "\033[D", "\033OD", KeyMap.ctrl('B'));
    map.bind(Op.RIGHT, "\033[C", "\033OC");
    map.bind(Op.UP, "\033[A", "\033OA");
    map.bind(Op.DOWN, "\033[B", "\033OB");
    map.bind(Op.HOME, "\033[H", "\033OH", "\033[1~", "\033[7~", KeyMap.ctrl('A'));
    map.bind(Op.END, "\033[F", "\033OF", "\033[4~", "\033[8~", KeyMap.ctrl('E'));
    map.bind(Op.PAGE_UP, "\033[5~");
    map.bind(Op.PAGE_DOWN, "\033[6~");
    map.bind(Op.COMPLETE, "\t");
    map.bind(Op.NEXT_CHAT, KeyMap.ctrl('N'));
    map.bind(Op.PREVIOUS_CHAT, KeyMap.ctrl('P'));
    for (char c = '0'; c <= '9'; c++) {
      map.bind(Op.SELECT_CHAT, KeyMap.alt(c));
    }
    map.bind(Op.FIND, KeyMap.ctrl('F'));
    map.bind(Op.CANCEL, KeyMap.esc());
    map.bind(Op.REDRAW, KeyMap.ctrl('L'));
    map.bind(Op.INTERRUPT, KeyMap.ctrl('C'));
    map.bind(Op.EOF, KeyMap.ctrl('D'));
    bindCapability(map, Op.LEFT, Capability.key_left);
    bindCapability(map, Op.RIGHT, Capability.key_right);
    bindCapability(map, Op.UP, Capability.key_up);
    bindCapability(map, Op.DOWN, Capability.key_down);
    bindCapability(map, Op.HOME, Capability.key_home);
    bindCapability(map, Op.END, Capability.key_end);
    bindCapability(map, Op.DELETE, Capability.key_dc);
    bindCapability(map, Op.PAGE_UP, Capability.key_ppage);
    bindCapability(map, Op.PAGE_DOWN, Capability.key_npage);
    map.setAmbiguousTimeout(100);
    return map;
  }

  private void bindCapability(KeyMap<Op> map, Op op, Capability capability) {
    String seq = KeyMap.key(terminal, capability);
    if (seq != null && !seq.isEmpty()) {
      map.bind(op, seq);
    }
  }
}
