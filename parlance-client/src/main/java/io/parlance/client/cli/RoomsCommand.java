package io.parlance.client.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code parlance room}: the rooms of the running daemon, one subcommand per room command of the
 * chat. Each sends that command through the control socket and prints its answer.
 */
@Command(
    name = "room",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
      "Rooms of the running daemon: create, invite, join, talk, vote. Each subcommand does what"
          + " the chat's room command of that name does and prints the answer (--json: the"
          + " daemon's JSON line). A ROOM is a room's name or the start of its id (4 characters"
          + " or more), as 'parlance room list' shows them."
    },
    subcommands = {
      RoomsCommand.Create.class,
      RoomsCommand.Invite.class,
      RoomsCommand.Remove.class,
      RoomsCommand.Join.class,
      RoomsCommand.Leave.class,
      RoomsCommand.ListRooms.class,
      RoomsCommand.Members.class,
      RoomsCommand.History.class,
      RoomsCommand.Say.class,
      RoomsCommand.Propose.class,
      RoomsCommand.Vote.class
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:done",
      "1:refused (the daemon's reason is printed), or no daemon runs",
      "2:usage error"
    })
final class RoomsCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    throw new ParameterException(
        spec.commandLine(),
        "name a room command: " + String.join(", ", spec.subcommands().keySet()));
  }

  private static String joined(List<String> words) {
    return String.join(" ", words);
  }

  private static String shortId(JsonNode node) {
    String id = node.path("id").asText();
    return id.length() > 8 ? id.substring(0, 8) : id;
  }

  /** {@code parlance room create}. */
  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      versionProvider = VersionProvider.class,
      sortOptions = false,
      usageHelpAutoWidth = true,
      description = {
        "Create a room with you as its creator and print its id.",
        "RULES say which changes take members' votes: invite=R, remove=R, promote=R, R being"
            + " 'mods' (the creator or a moderator decides alone, the default) or 'votes:N' (N"
            + " members' signed votes, 1 to 256; the creator may still act alone). E.g."
            + " 'parlance room create lab invite=votes:2 remove=votes:2'. The rules never change"
            + " after."
      })
  static final class Create extends RoomClientCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "The room's name.")
    String name;

    @Parameters(index = "1..*", arity = "0..*", paramLabel = "RULES", description = "Its rules.")
    List<String> rules = List.of();

    @Override
    String line() {
      for (String r : rules) {
        if (r.indexOf('=') < 0) {
          throw new ParameterException(
              spec.commandLine(),
              "'" + r + "' is not a rule; rules look like invite=votes:2 or remove=mods");
        }
      }
      return "/room create " + name.strip() + (rules.isEmpty() ? "" : " " + joined(rules));
    }

    @Override
    String kind() {
      return "created";
    }

    @Override
    void print(JsonNode answer, PrintWriter out) {
      out.println(answer.path("id").asText());
    }
  }

  /** {@code parlance room invite}. */
  @Command(
      name = "invite",
      mixinStandardHelpOptions = true,
      versionProvider = VersionProvider.class,
      usageHelpAutoWidth = true,
      description = {
        "Admit a peer (you must be the creator or a moderator; where admitting takes votes, use"
            + " 'parlance room propose ROOM invite PEER'). The peer gets an invitation it accepts"
            + " with 'parlance room join' (it keeps across restarts); the members get the new"
            + " state. The peer must be online with a verified identity now."
      })
  static final class Invite extends RoomClientCommand {
    @Parameters(index = "0", paramLabel = "ROOM", description = "The room.")
    String room;

    @Parameters(
        index = "1",
        paramLabel = "PEER",
        description = "The peer: nickname, nickname@ip:port or id.")
    String peer;

    @Override
    String line() {
      return "/room invite " + word("ROOM", room) + " " + peer.strip();
    }

    @Override
    String kind() {
      return "invited";
    }
  }

  /** {@code parlance room remove}. */
  @Command(
      name = "remove",
      mixinStandardHelpOptions = true,
      versionProvider = VersionProvider.class,
      usageHelpAutoWidth = true,
      description = {
        "Remove a member (creator or moderator; where removing takes votes, use 'parlance room"
            + " propose ROOM remove MEMBER'): it gets nothing new."
      })
  static final class Remove extends RoomClientCommand {
    @Parameters(index = "0", paramLabel = "ROOM", description = "The room.")
    String room;

    @Parameters(
        index = "1",
        paramLabel = "MEMBER",
        description = "The member: nickname or the start of its id.")
    String member;

    @Override
    String line() {
      return "/room remove " + word("ROOM", room) + " " + member.strip();
    }

    @Override
    String kind() {
      return "removed";
    }
  }

  /** {@code parlance room join}. */
  @Command(
      name = "join",
      mixinStandardHelpOptions = true,
      versionProvider = VersionProvider.class,
      usageHelpAutoWidth = true,
      description = {
        "Accept an invitation ('parlance room list' shows them) and fetch what the room said."
      })
  static final class Join extends RoomClientCommand {
    @Parameters(index = "0", paramLabel = "ROOM", description = "The room invited to.")
    String room;

    @Override
    String line() {
      return "/join " + word("ROOM", room);
    }

    @Override
    String kind() {
      return "joined";
    }
  }

  /** {@code parlance room leave}. */
  @Command(
      name = "leave",
      mixinStandardHelpOptions = true,
      versionProvider = VersionProvider.class,
      usageHelpAutoWidth = true,
      description = {
        "Forget a room here, with its stored messages (its members list you until a moderator"
            + " removes you)."
      })
  static final class Leave extends RoomClientCommand {
    @Parameters(index = "0", paramLabel = "ROOM", description = "The room.")
    String room;

    @Override
    String line() {
      return "/leave " + word("ROOM", room);
    }

    @Override
    String kind() {
      return "left";
    }
  }

  /** {@code parlance room list}. */
  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      versionProvider = VersionProvider.class,
      usageHelpAutoWidth = true,
      description = {
        "List your rooms, then the invitations waiting: a table 'room  id  version  members"
            + "  status' with a header line."
      })
  static final class ListRooms extends RoomClientCommand {
    @Override
    String line() {
      return "/rooms";
    }

    @Override
    String kind() {
      return "rooms";
    }

    @Override
    void print(JsonNode answer, PrintWriter out) {
      List<String[]> rows = header("room", "id", "version", "members", "status");
      for (JsonNode r : answer.path("rooms")) {
        rows.add(
            new String[] {
              TerminalText.inline(r.path("name").asText()),
              shortId(r),
              r.path("version").asText(),
              r.path("members").asText(),
              r.path("member").asBoolean(false)
                  ? "member"
                  : "invited: parlance room join " + shortId(r)
            });
      }
      table(rows, out);
    }
  }

  /** {@code parlance room members}. */
  @Command(
      name = "members",
      mixinStandardHelpOptions = true,
      versionProvider = VersionProvider.class,
      usageHelpAutoWidth = true,
      description = {
        "List a room's members: a table 'nickname  role  id  online  waiting' with a header"
            + " line; online means connected now with the key the room's signed state lists"
            + " (verified); waiting counts your messages in the room it has not acknowledged yet,"
            + " '3 (2 in the mailbox)' when some wait for it in the bootstrap server's mailbox."
      })
  static final class Members extends RoomClientCommand {
    @Parameters(index = "0", paramLabel = "ROOM", description = "The room.")
    String room;

    @Override
    String line() {
      return "/members " + word("ROOM", room);
    }

    @Override
    String kind() {
      return "members";
    }

    @Override
    void print(JsonNode answer, PrintWriter out) {
      List<String[]> rows = header("nickname", "role", "id", "online", "waiting");
      for (JsonNode m : answer.path("members")) {
        long deposited = m.path("deposited").asLong(0);
        rows.add(
            new String[] {
              TerminalText.inline(m.path("nickname").asText()),
              TerminalText.inline(m.path("role").asText()),
              shortId(m),
              m.path("online").asBoolean(false) ? "online, verified" : "away",
              m.path("waiting").asLong(0)
                  + (deposited == 0 ? "" : " (" + deposited + " in the mailbox)")
            });
      }
      table(rows, out);
    }
  }

  /** {@code parlance room history}. */
  @Command(
      name = "history",
      mixinStandardHelpOptions = true,
      versionProvider = VersionProvider.class,
      usageHelpAutoWidth = true,
      description = {
        "Print a room's last messages in the room's order, as '[HH:MM:SS] nickname: text' lines."
      })
  static final class History extends RoomClientCommand {
    @Parameters(index = "0", paramLabel = "ROOM", description = "The room.")
    String room;

    @Parameters(
        index = "1",
        arity = "0..1",
        paramLabel = "N",
        description = "How many, 1 to 1000 (default 20).")
    Integer count;

    @Override
    String line() {
      int n = count == null ? io.parlance.client.cli.Command.DEFAULT_HISTORY : count;
      if (n < 1 || n > io.parlance.client.cli.Command.MAX_HISTORY) {
        throw new ParameterException(
            spec.commandLine(),
            "N must be from 1 to " + io.parlance.client.cli.Command.MAX_HISTORY + ", not " + n);
      }
      return "/history #" + word("ROOM", room) + " " + n;
    }

    @Override
    String kind() {
      return "history";
    }

    @Override
    void print(JsonNode answer, PrintWriter out) {
      messages(answer.path("messages"), out);
    }
  }

  /** {@code parlance room say}. */
  @Command(
      name = "say",
      mixinStandardHelpOptions = true,
      versionProvider = VersionProvider.class,
      usageHelpAutoWidth = true,
      description = {
        "Write to a room; exits 0 once the message is stored and queued for every member (each"
            + " gets it when online, through the durable outbox), and prints the message's id."
      })
  static final class Say extends RoomClientCommand {
    @Parameters(index = "0", paramLabel = "ROOM", description = "The room.")
    String room;

    @Parameters(
        index = "1..*",
        arity = "1..*",
        paramLabel = "MESSAGE",
        description = "The message; several words are joined with spaces.")
    List<String> words;

    @Override
    String line() {
      String text = joined(words);
      if (text.isBlank()) {
        throw new ParameterException(spec.commandLine(), "the message is empty");
      }
      return "/say " + word("ROOM", room) + " " + text;
    }

    @Override
    String kind() {
      return "said";
    }

    @Override
    void print(JsonNode answer, PrintWriter out) {
      // the id the room's history and every member know the message by
      out.println(TerminalText.inline(answer.path("message_id").asText()));
    }
  }

  /** {@code parlance room propose}. */
  @Command(
      name = "propose",
      mixinStandardHelpOptions = true,
      versionProvider = VersionProvider.class,
      usageHelpAutoWidth = true,
      description = {
        "Put a change to the members' vote, with your own vote for it; with no ACTION, list the"
            + " open and passed proposals: a table 'proposal  change  votes' (votes/needed, or"
            + " passed). Another member votes with 'parlance room vote ROOM PROPOSAL'."
      })
  static final class Propose extends RoomClientCommand {
    @Parameters(index = "0", paramLabel = "ROOM", description = "The room.")
    String room;

    @Parameters(
        index = "1",
        arity = "0..1",
        paramLabel = "ACTION",
        description = "invite (a peer online), remove or promote (a member).")
    String action;

    @Parameters(index = "2", arity = "0..1", paramLabel = "PEER", description = "Whom.")
    String peer;

    @Override
    String line() {
      if (action == null) {
        return "/propose " + word("ROOM", room);
      }
      if (peer == null || peer.isBlank()) {
        throw new ParameterException(spec.commandLine(), "name the PEER to " + action);
      }
      return "/propose " + word("ROOM", room) + " " + word("ACTION", action) + " " + peer.strip();
    }

    @Override
    String kind() {
      return "proposals";
    }

    @Override
    void print(JsonNode answer, PrintWriter out) {
      proposals(answer, out);
    }
  }

  /** {@code parlance room vote}. */
  @Command(
      name = "vote",
      mixinStandardHelpOptions = true,
      versionProvider = VersionProvider.class,
      usageHelpAutoWidth = true,
      description = {
        "Vote for an open proposal; once it has the votes its change is made and sent to the"
            + " members. Prints the proposals after the vote."
      })
  static final class Vote extends RoomClientCommand {
    @Parameters(index = "0", paramLabel = "ROOM", description = "The room.")
    String room;

    @Parameters(
        index = "1",
        paramLabel = "PROPOSAL",
        description = "The start of the proposal's id, as 'parlance room propose ROOM' lists it.")
    String proposal;

    @Override
    String line() {
      return "/vote " + word("ROOM", room) + " " + word("PROPOSAL", proposal);
    }

    @Override
    String kind() {
      return "proposals";
    }

    @Override
    void print(JsonNode answer, PrintWriter out) {
      proposals(answer, out);
    }
  }

  private static void proposals(JsonNode answer, PrintWriter out) {
    List<String[]> rows = RoomClientCommand.header("proposal", "change", "votes");
    for (JsonNode p : answer.path("proposals")) {
      rows.add(
          new String[] {
            shortId(p),
            TerminalText.inline(p.path("change").asText()),
            p.path("passed").asBoolean(false)
                ? "passed"
                : p.path("votes").asInt() + "/" + p.path("needed").asInt()
          });
    }
    if (rows.size() == 1) {
      out.println("no proposals");
      return;
    }
    RoomClientCommand.table(rows, out);
  }
}
