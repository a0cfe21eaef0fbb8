package io.parlance.client.cli;

import java.util.Collection;
import java.util.List;
import java.util.Locale;

/** One line the user typed, parsed. */
sealed interface Command {

  /**
   * Calls the visitor's method for this kind of command.
   *
   * @param visitor what to do with each kind of command
   * @param <R> what the visitor returns
   * @return what the visitor returned
   */
  <R> R accept(Visitor<R> visitor);

  /**
   * Does something with each kind of command: one method per case, so the executor stops compiling
   * when a command is added and it does not run it yet.
   *
   * @param <R> what each method returns
   */
  interface Visitor<R> {
    R peers(Peers command);

    R send(Send command);

    R broadcast(Broadcast command);

    R nick(Nick command);

    R verify(Verify command);

    R trust(Trust command);

    R history(History command);

    R search(Search command);

    R inbox(Inbox command);

    R follow(Follow command);

    R clear(Clear command);

    R help(Help command);

    R quit(Quit command);

    R empty(Empty command);

    R invalid(Invalid command);

    R room(RoomCommand command);
  }

  /** The commands, for help and completion. */
  List<String> NAMES =
      List.of(
          "/peers",
          "/send",
          "/broadcast",
          "/history",
          "/search",
          "/nick",
          "/verify",
          "/trust",
          "/clear",
          "/help",
          "/quit",
          "/room",
          "/rooms",
          "/join",
          "/leave",
          "/members",
          "/say",
          "/propose",
          "/vote");

  /** How many messages {@code /history} shows when not told. */
  int DEFAULT_HISTORY = 20;

  /** The most messages one {@code /history} or {@code /search} answers with. */
  int MAX_HISTORY = 1000;

  /** The help text, one command per line. */
  List<String> HELP =
      List.of(
          "/peers, /list, /users        list the peers online",
          "/send, /msg <nick> <text>    send a message to one peer (nickname@ip:port if two share it)",
          "/broadcast, /all <message>   send a message to every peer",
          "/history <peer> [n]          the last n (20) messages with a peer (nickname, id or its"
              + " start)",
          "/search <words>              search every message kept (each word must appear)",
          "/nick <new>                  change your nickname",
          "/verify <peer>               show your id and the peer's, to compare out of band",
          "/trust <peer>                accept the key a peer presents now, after a change",
          "/room create <name> [rules]  make a room; rules: invite=, remove=, promote= each mods"
              + " (the default: the creator or a moderator alone) or votes:N (N members' votes),"
              + " e.g. invite=votes:2",
          "/room invite <room> <peer>   admit a peer (creator or moderator)",
          "/room remove <room> <member> remove a member: it gets nothing new",
          "/room use <room>             plain lines (no /) go to this room",
          "/rooms                       your rooms and invitations",
          "/join <room>, /leave <room>  accept an invitation; forget a room",
          "/members <room>              who is in a room, their roles, who is verified online",
          "/say <room> <text>           write to a room",
          "/history #<room> [n]         the last n messages of a room",
          "/propose <room> [invite|remove|promote <peer>]  put a change to the vote; list them",
          "/vote <room> <proposal>      vote for a proposal (the start of its id)",
          "/clear                       clear the screen",
          "/help, /h, /?                this help",
          "/quit, /exit, /q             leave");

  /** The help of the JSON-lines modes (--json and the control socket): the chat's and more. */
  List<String> JSON_HELP =
      java.util.stream.Stream.concat(
              HELP.stream(),
              java.util.stream.Stream.of(
                  "/inbox                       list the messages received since the start",
                  "/follow [inbox]              stream every event from now on (first the inbox)"))
          .toList();

  /** List the peers. */
  record Peers() implements Command {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.peers(this);
    }
  }

  /**
   * Send to one peer.
   *
   * @param target whom
   * @param text what
   */
  record Send(String target, String text) implements Command {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.send(this);
    }
  }

  /**
   * Send to every peer.
   *
   * @param text what
   */
  record Broadcast(String text) implements Command {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.broadcast(this);
    }
  }

  /**
   * Change the nickname.
   *
   * @param nickname the new one
   */
  record Nick(String nickname) implements Command {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.nick(this);
    }
  }

  /**
   * Show the fingerprints to compare with a peer.
   *
   * @param target the peer
   */
  record Verify(String target) implements Command {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.verify(this);
    }
  }

  /**
   * Accept the key a peer presents now.
   *
   * @param target the peer
   */
  record Trust(String target) implements Command {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.trust(this);
    }
  }

  /**
   * Show the last messages of a conversation.
   *
   * @param peer a nickname, a peer id, or {@code nickname@ip:port}
   * @param limit how many, 1 to {@link #MAX_HISTORY}
   */
  record History(String peer, int limit) implements Command {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.history(this);
    }
  }

  /**
   * Search every stored message.
   *
   * @param text the words
   */
  record Search(String text) implements Command {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.search(this);
    }
  }

  /** List the messages received since the start. */
  record Inbox() implements Command {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.inbox(this);
    }
  }

  /**
   * Stream every event from now on.
   *
   * @param withInbox answer with the inbox first, with no gap before the stream
   */
  record Follow(boolean withInbox) implements Command {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.follow(this);
    }
  }

  /** Clear the screen. */
  record Clear() implements Command {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.clear(this);
    }
  }

  /** Show help. */
  record Help() implements Command {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.help(this);
    }
  }

  /** Leave. */
  record Quit() implements Command {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.quit(this);
    }
  }

  /** Nothing (an empty line). */
  record Empty() implements Command {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.empty(this);
    }
  }

  /**
   * A line that is not a valid command.
   *
   * @param message what is wrong, in words
   */
  record Invalid(String message) implements Command {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.invalid(this);
    }
  }

  /**
   * A room command.
   *
   * @param verb what to do: create, invite, remove, use, rooms, join, leave, members, say, history,
   *     propose, proposals, vote
   * @param room the room's name or id (for create, the new name)
   * @param arg the rest: a peer, a text, a count, a proposal
   */
  record RoomCommand(String verb, String room, String arg) implements Command {
    @Override
    public <R> R accept(Visitor<R> visitor) {
      return visitor.room(this);
    }
  }

  /**
   * Parses a line.
   *
   * @param line the line
   * @param knownNames nicknames and qualified names of known peers, to split {@code /send} when a
   *     nickname contains spaces
   * @return the command
   */
  static Command parse(String line, Collection<String> knownNames) {
    String trimmed = line.strip();
    if (trimmed.isEmpty()) {
      return new Empty();
    }
    if (!trimmed.startsWith("/")) {
      return new Invalid(
          "messages go with /send <nickname> <message> or /broadcast <message>; /help lists the"
              + " commands");
    }
    int space = trimmed.indexOf(' ');
    String name = (space < 0 ? trimmed : trimmed.substring(0, space)).toLowerCase(Locale.ROOT);
    String rest = space < 0 ? "" : trimmed.substring(space + 1).strip();
    return switch (name) {
      case "/peers", "/list", "/users" -> new Peers();
      case "/send", "/msg" -> parseSend(unescapeName(afterName(line), knownNames), knownNames);
      case "/broadcast", "/all" ->
          rest.isEmpty() ? new Invalid("usage: /broadcast <message>") : new Broadcast(rest);
      case "/nick" -> rest.isEmpty() ? new Invalid("usage: /nick <new nickname>") : new Nick(rest);
      case "/history" -> parseHistory(unescapeName(rest, knownNames), knownNames);
      case "/verify" ->
          rest.isEmpty()
              ? new Invalid("usage: /verify <peer>")
              : new Verify(unescapeName(rest, knownNames));
      case "/trust" ->
          rest.isEmpty()
              ? new Invalid("usage: /trust <peer>")
              : new Trust(unescapeName(rest, knownNames));
      case "/search" -> rest.isEmpty() ? new Invalid("usage: /search <words>") : new Search(rest);
      case "/inbox" -> rest.isEmpty() ? new Inbox() : new Invalid("usage: /inbox");
      case "/follow" ->
          switch (rest.toLowerCase(Locale.ROOT)) {
            case "" -> new Follow(false);
            case "inbox" -> new Follow(true);
            default -> new Invalid("usage: /follow [inbox]");
          };
      case "/room" -> parseRoom(rest);
      case "/rooms" -> new RoomCommand("rooms", "", "");
      case "/join", "/leave", "/members" ->
          rest.isEmpty() || rest.contains(" ")
              ? new Invalid("usage: " + name + " <room>")
              : new RoomCommand(name.substring(1), rest, "");
      case "/say" -> {
        int gap = rest.indexOf(' ');
        yield gap < 0
            ? new Invalid("usage: /say <room> <text>")
            : new RoomCommand("say", rest.substring(0, gap), rest.substring(gap + 1));
      }
      case "/propose" -> {
        int gap = rest.indexOf(' ');
        yield rest.isEmpty()
            ? new Invalid("usage: /propose <room> [invite|remove|promote <peer>]")
            : gap < 0
                ? new RoomCommand("proposals", rest, "")
                : new RoomCommand("propose", rest.substring(0, gap), rest.substring(gap + 1));
      }
      case "/vote" -> {
        String[] parts = rest.split(" +");
        yield parts.length != 2
            ? new Invalid("usage: /vote <room> <proposal>")
            : new RoomCommand("vote", parts[0], parts[1]);
      }
      case "/clear" -> new Clear();
      case "/help", "/h", "/?" -> new Help();
      case "/quit", "/exit", "/q" -> new Quit();
      default -> new Invalid("unknown command " + name + "; /help lists the commands");
    };
  }

  private static Command parseRoom(String rest) {
    String usage = "usage: /room create|invite|remove|use ... (/help lists them)";
    String[] parts = rest.split(" +", 3);
    if (parts.length < 2 || parts[1].isEmpty()) {
      return new Invalid(usage);
    }
    return switch (parts[0].toLowerCase(Locale.ROOT)) {
      case "create" -> parseCreate(rest.substring(rest.indexOf(' ') + 1).strip());
      case "invite", "remove" ->
          parts.length < 3
              ? new Invalid("usage: /room " + parts[0] + " <room> <peer>")
              : new RoomCommand(parts[0].toLowerCase(Locale.ROOT), parts[1], parts[2]);
      case "use" -> new RoomCommand("use", parts[1], "");
      default -> new Invalid(usage);
    };
  }

  /** The usage of {@code /room create}, as its errors say it. */
  String CREATE_USAGE =
      "usage: /room create <name> [invite=R] [remove=R] [promote=R] [votes N], R being 'mods'"
          + " (the creator or a moderator decides alone, the default) or 'votes:N' (N members'"
          + " votes, 1 to 256)";

  /**
   * Parses the arguments of {@code /room create}: the name, then its rules, as {@code
   * invite=votes:2} words (or the older {@code votes N}: that many votes to remove or promote) at
   * the end. The command's argument is the three thresholds, {@code invite,remove,promote}.
   */
  private static Command parseCreate(String args) {
    java.util.List<String> words = new java.util.ArrayList<>(List.of(args.split(" +")));
    int[] thresholds = new int[3]; // invite, remove, promote
    boolean[] given = new boolean[3];
    while (words.size() > 1) {
      String last = words.get(words.size() - 1);
      int n = words.size();
      if (n >= 3 && words.get(n - 2).equals("votes")) {
        int votes = votes(last);
        if (votes < 1 || given[1] || given[2]) {
          return new Invalid(CREATE_USAGE);
        }
        thresholds[1] = votes;
        thresholds[2] = votes;
        given[1] = true;
        given[2] = true;
        words.subList(n - 2, n).clear();
        continue;
      }
      int eq = last.indexOf('=');
      if (eq < 0) {
        break;
      }
      int which =
          switch (last.substring(0, eq).toLowerCase(Locale.ROOT)) {
            case "invite", "admit" -> 0;
            case "remove" -> 1;
            case "promote" -> 2;
            default -> -1;
          };
      if (which < 0) {
        break; // part of the name
      }
      String value = last.substring(eq + 1).toLowerCase(Locale.ROOT);
      int votes =
          value.equals("mods") || value.equals("moderators")
              ? 0
              : votes(value.startsWith("votes:") ? value.substring(6) : value);
      if (votes < 0 || given[which]) {
        return new Invalid(CREATE_USAGE);
      }
      thresholds[which] = votes;
      given[which] = true;
      words.remove(n - 1);
    }
    String name = String.join(" ", words).strip();
    if (name.isEmpty()) {
      return new Invalid(CREATE_USAGE);
    }
    return new RoomCommand(
        "create", name, thresholds[0] + "," + thresholds[1] + "," + thresholds[2]);
  }

  /** A vote threshold, 1 to 256, or -1 if the text is not one. */
  private static int votes(String text) {
    if (text.isEmpty() || text.length() > 3 || !text.chars().allMatch(Character::isDigit)) {
      return -1;
    }
    int n = Integer.parseInt(text);
    return n >= 1 && n <= 256 ? n : -1;
  }

  private static Command parseHistory(String rest, Collection<String> knownNames) {
    String usage = "usage: /history <peer> [n], n from 1 to " + MAX_HISTORY;
    if (rest.isEmpty()) {
      return new Invalid(usage);
    }
    if (rest.startsWith("#") && rest.length() > 1) {
      String[] parts = rest.substring(1).split(" +");
      String n = parts.length == 2 ? parts[1] : Integer.toString(DEFAULT_HISTORY);
      if (parts.length > 2
          || !n.chars().allMatch(Character::isDigit)
          || n.length() > 4
          || Integer.parseInt(n) < 1
          || Integer.parseInt(n) > MAX_HISTORY) {
        return new Invalid("usage: /history #<room> [n], n from 1 to " + MAX_HISTORY);
      }
      return new RoomCommand("history", parts[0], n);
    }
    if (knownNames.contains(rest)) {
      return new History(rest, DEFAULT_HISTORY); // a nickname with spaces, or ending in a number
    }
    int space = rest.lastIndexOf(' ');
    if (space < 0) {
      return new History(rest, DEFAULT_HISTORY);
    }
    String last = rest.substring(space + 1);
    if (!last.chars().allMatch(Character::isDigit)) {
      return new History(rest, DEFAULT_HISTORY);
    }
    int limit;
    try {
      limit = Integer.parseInt(last);
    } catch (NumberFormatException e) {
      return new Invalid(usage);
    }
    if (limit < 1 || limit > MAX_HISTORY) {
      return new Invalid(usage);
    }
    return new History(rest.substring(0, space).strip(), limit);
  }

  /**
   * Puts back a known name that the line editor's completion wrote escaped at the start of the
   * arguments ({@code alice\ smith} for {@code alice smith}), so what completion inserts resolves.
   */
  static String unescapeName(String rest, Collection<String> knownNames) {
    String name = null;
    String written = null;
    for (String known : knownNames) {
      String escaped = escaped(known);
      if (!escaped.equals(known)
          && (rest.equals(escaped) || rest.startsWith(escaped + " "))
          && (name == null || known.length() > name.length())) {
        name = known;
        written = escaped;
      }
    }
    return name == null ? rest : name + rest.substring(written.length());
  }

  /**
   * A name as JLine's default parser escapes it: a backslash before blanks, quotes, backslashes.
   */
  private static String escaped(String name) {
    StringBuilder out = new StringBuilder(name.length() + 4);
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (Character.isWhitespace(c) || c == '\\' || c == '"' || c == '\'') {
        out.append('\\');
      }
      out.append(c);
    }
    return out.toString();
  }

  /** The line after the command name and the spaces that follow it, its end kept exactly. */
  private static String afterName(String line) {
    String start = line.stripLeading();
    int space = start.indexOf(' ');
    return space < 0 ? "" : start.substring(space + 1).stripLeading();
  }

  /**
   * Splits {@code /send}'s arguments: the target, then the text after the one separator that
   * follows it, kept exactly (leading and inner spaces too), as the Rust peer does.
   */
  private static Command parseSend(String rest, Collection<String> knownNames) {
    String target = null;
    for (String name : knownNames) {
      if (rest.startsWith(name + " ") && (target == null || name.length() > target.length())) {
        target = name;
      }
    }
    if (target == null) {
      int space = rest.indexOf(' ');
      if (space < 0) {
        return new Invalid("usage: /send <nickname> <message>");
      }
      target = rest.substring(0, space);
    }
    String text = rest.length() > target.length() ? rest.substring(target.length() + 1) : "";
    if (text.isBlank()) {
      return new Invalid("usage: /send <nickname> <message>");
    }
    return new Send(target, text);
  }
}
