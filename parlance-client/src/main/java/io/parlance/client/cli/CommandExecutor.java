package io.parlance.client.cli;

import io.parlance.client.control.Inbox;
import io.parlance.client.delivery.Outgoing;
import io.parlance.client.node.NodeEvent;
import io.parlance.client.node.PeerNode;
import io.parlance.client.node.SendException;
import io.parlance.client.peer.Peer;
import io.parlance.protocol.ProtocolException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Runs the commands of every face (the terminal chat, {@code --json} mode, each control connection)
 * against one node and answers each with {@link Reply replies}; the faces only render them, and the
 * node's events.
 *
 * <p>Each face is a {@link Client} with its own {@link Face}: the replies to a client's commands go
 * to that client only. A following client (the terminal and stdin always; a control connection
 * after {@code /follow}) also gets every node event, in order. The executor keeps the {@link Inbox}
 * of the JSON-lines faces; without one, {@code /inbox} and {@code /follow} are refused.
 */
final class CommandExecutor {

  /** The answer to {@code /inbox} and {@code /follow} where there is no inbox (the chat). */
  static final String NO_INBOX =
      "/inbox and /follow are for --json mode and a daemon's control socket";

  /** Where a client's replies and, while it follows, the node's events go. */
  interface Face {

    /**
     * Renders a reply to one of this client's commands. Must not block for long.
     *
     * @param reply the reply
     */
    void reply(Reply reply);

    /**
     * Renders a node event, while following. Must not block for long.
     *
     * @param event the event
     */
    void event(NodeEvent event);
  }

  private final PeerNode node;
  private final Inbox inbox; // null: no /inbox nor /follow

  /** Orders inbox updates and the fan-out of events against {@code /inbox} and {@code /follow}. */
  private final Object fanOut = new Object();

  private final List<Client> followers = new CopyOnWriteArrayList<>();

  /**
   * Creates the executor and starts listening to the node; make it before the node starts to hear
   * every event.
   *
   * @param node the node
   * @param inbox the inbox to keep received messages in, or null for none
   */
  CommandExecutor(PeerNode node, Inbox inbox) {
    this.node = Objects.requireNonNull(node, "node");
    this.inbox = inbox;
    node.addListener(this::onEvent);
  }

  /**
   * Returns the inbox.
   *
   * @return the inbox, or null if this executor keeps none
   */
  Inbox inbox() {
    return inbox;
  }

  private void onEvent(NodeEvent event) {
    synchronized (fanOut) {
      if (inbox != null && event instanceof NodeEvent.MessageReceived m) {
        inbox.add(m);
      }
      for (Client c : followers) {
        c.face.event(event);
      }
    }
  }

  /**
   * Opens a client.
   *
   * @param face where its replies (and, while following, the events) go
   * @param follow true to get every node event from now on
   * @return the client
   */
  Client open(Face face, boolean follow) {
    Client client = new Client(face);
    if (follow) {
      client.follow();
    }
    return client;
  }

  /**
   * Returns the names a {@code /send} or {@code /history} may start with: each peer's nickname and
   * its qualified name.
   *
   * @param peers the peers
   * @return the names
   */
  static List<String> names(List<Peer> peers) {
    List<String> names = new ArrayList<>();
    for (Peer p : peers) {
      names.add(p.nickname());
      names.add(p.qualifiedName());
    }
    return names;
  }

  private static Throwable unwrap(Throwable error) {
    return error instanceof CompletionException && error.getCause() != null
        ? error.getCause()
        : error;
  }

  /** One face's use of the executor: runs its commands, counts the answers still to come. */
  final class Client implements Command.Visitor<Boolean> {

    /** The room plain lines go to, after {@code /room use}; null for none. */
    private volatile String currentRoom;

    private final Face face;
    private volatile boolean following;
    private int pending; // guarded by this: commands whose answer is still to come
    private CompletableFuture<Void> drain; // guarded by this

    private Client(Face face) {
      this.face = Objects.requireNonNull(face, "face");
    }

    /**
     * Parses and runs one line.
     *
     * @param line what the user or the program wrote
     * @return false after {@code /quit}, else true
     */
    boolean line(String line) {
      String room = currentRoom;
      if (room != null && !line.isBlank() && !line.stripLeading().startsWith("/")) {
        return execute(new Command.RoomCommand("say", room, line.strip()));
      }
      return execute(Command.parse(line, names(node.peers())));
    }

    /**
     * Runs a command; its replies go to the face, at once or when they are ready.
     *
     * @param command the command
     * @return false for {@code /quit}, else true
     */
    boolean execute(Command command) {
      return command.accept(this);
    }

    /**
     * Tells whether this client gets every node event.
     *
     * @return true after {@code /follow}, or if opened following
     */
    boolean following() {
      return following;
    }

    /**
     * Completes when every reply to the commands run so far was given; never for a following
     * client, which streams until it is closed.
     *
     * @return the stage
     */
    CompletionStage<Void> drained() {
      CompletableFuture<Void> done;
      synchronized (this) {
        if (following) {
          return new CompletableFuture<>();
        }
        if (drain == null || drain.isDone()) {
          drain = new CompletableFuture<>();
        }
        done = drain;
        if (pending > 0) {
          return done;
        }
      }
      done.complete(null);
      return done;
    }

    /** Stops the events to this client. */
    void close() {
      synchronized (fanOut) {
        following = false;
        followers.remove(this);
      }
    }

    private void follow() {
      synchronized (fanOut) {
        if (!following) {
          following = true;
          followers.add(this);
        }
      }
    }

    @Override
    public Boolean peers(Command.Peers command) {
      List<Reply.Listed> listed = new ArrayList<>();
      for (Peer p : node.peers()) {
        listed.add(new Reply.Listed(p, node.trustOf(p), node.pathTo(p).orElse(null)));
      }
      face.reply(new Reply.Peers(listed));
      return true;
    }

    @Override
    public Boolean send(Command.Send command) {
      answerSend(command.target(), node.send(command.target(), command.text()));
      return true;
    }

    @Override
    public Boolean broadcast(Command.Broadcast command) {
      List<Peer> peers = node.peers();
      if (following || peers.isEmpty()) {
        // One broadcast; with no peer, the node fails it (and tells it as an event) at once.
        started();
        node.broadcast(command.text())
            .whenComplete(
                (sent, error) -> {
                  try {
                    if (error != null) {
                      face.reply(sendError("everyone", error));
                    } else {
                      sent.forEach(out -> face.reply(new Reply.SendOutcome(out)));
                    }
                  } finally {
                    finished();
                  }
                });
        return true;
      }
      for (Peer p : peers) {
        answerSend(p.qualifiedName(), node.send(p, command.text()));
      }
      return true;
    }

    private void answerSend(String target, CompletableFuture<Outgoing> sending) {
      started();
      sending.whenComplete(
          (outgoing, error) -> {
            try {
              face.reply(
                  error == null ? new Reply.SendOutcome(outgoing) : sendError(target, error));
            } finally {
              finished();
            }
          });
    }

    private Reply sendError(String target, Throwable error) {
      Throwable cause = unwrap(error);
      return cause instanceof SendException e
          ? new Reply.SendFailed(target, e)
          : new Reply.Failure(ExecutionExceptionHandler.reason(cause));
    }

    @Override
    public Boolean nick(Command.Nick command) {
      String before = node.nickname();
      Optional<Peer> holder =
          node.peers().stream().filter(p -> p.nickname().equals(command.nickname())).findFirst();
      if (holder.isPresent()) {
        // On the LAN two peers would answer to it; the bootstrap server would refuse it and drop
        // our registration. Neither is what a rename means.
        face.reply(
            new Reply.NicknameRefused(
                "'"
                    + command.nickname()
                    + "' is in use by a peer online ("
                    + holder.get().qualifiedName()
                    + "); pick another"));
        return true;
      }
      try {
        node.changeNickname(command.nickname());
      } catch (ProtocolException e) {
        face.reply(new Reply.NicknameRefused(e.getMessage()));
        return true;
      }
      face.reply(new Reply.NicknameChanged(before, command.nickname()));
      return true;
    }

    @Override
    public Boolean verify(Command.Verify command) {
      try {
        face.reply(new Reply.Verification(node.verify(command.target())));
      } catch (SendException e) {
        face.reply(new Reply.Failure(e.getMessage()));
      }
      return true;
    }

    @Override
    public Boolean trust(Command.Trust command) {
      try {
        face.reply(new Reply.Trusted(node.trust(command.target())));
      } catch (SendException e) {
        face.reply(new Reply.Failure(e.getMessage()));
      }
      return true;
    }

    @Override
    public Boolean history(Command.History command) {
      started();
      node.history(command.peer(), command.limit())
          .whenComplete(
              (messages, error) ->
                  answerQuery(error, () -> new Reply.History(command.peer(), messages)));
      return true;
    }

    @Override
    public Boolean search(Command.Search command) {
      started();
      node.search(command.text(), Command.MAX_HISTORY)
          .whenComplete(
              (messages, error) -> {
                started(); // the rooms' answer, which follows this one
                answerQuery(error, () -> new Reply.Found(command.text(), messages));
                searchRooms(command.text());
              });
      return true;
    }

    /**
     * Answers a search in the rooms too, after the one-to-one answer, if a room message matches.
     */
    private void searchRooms(String text) {
      java.util.concurrent.CompletableFuture<List<io.parlance.client.store.MessageStore.RoomRow>>
          rows;
      try {
        rows = node.rooms().search(text, Command.MAX_HISTORY);
      } catch (IllegalStateException notRunning) {
        finished();
        return;
      }
      rows.whenComplete(
          (found, error) -> {
            try {
              if (error == null && !found.isEmpty()) {
                face.reply(
                    new Reply.RoomReply(
                        "found",
                        "",
                        found.size() + " found in rooms, most recent first:",
                        List.of(),
                        List.of(),
                        found,
                        List.of()));
              }
            } finally {
              finished();
            }
          });
    }

    /** Gives a query's answer, or its error, and counts the command as answered. */
    private void answerQuery(Throwable error, java.util.function.Supplier<Reply> answer) {
      try {
        face.reply(
            error == null
                ? answer.get()
                : new Reply.Failure(ExecutionExceptionHandler.reason(unwrap(error))));
      } finally {
        finished();
      }
    }

    @Override
    public Boolean inbox(Command.Inbox command) {
      if (inbox == null) {
        face.reply(new Reply.Failure(NO_INBOX));
        return true;
      }
      synchronized (fanOut) {
        face.reply(new Reply.Inbox(inbox.messages()));
      }
      return true;
    }

    @Override
    public Boolean follow(Command.Follow command) {
      if (inbox == null) {
        face.reply(new Reply.Failure(NO_INBOX));
        return true;
      }
      synchronized (fanOut) { // no event can come between the inbox and the stream
        follow();
        face.reply(new Reply.Following());
        if (command.withInbox()) {
          face.reply(new Reply.Inbox(inbox.messages()));
        }
      }
      return true;
    }

    @Override
    public Boolean clear(Command.Clear command) {
      face.reply(new Reply.Clear());
      return true;
    }

    @Override
    public Boolean help(Command.Help command) {
      face.reply(new Reply.Help());
      return true;
    }

    @Override
    public Boolean quit(Command.Quit command) {
      return false;
    }

    @Override
    public Boolean empty(Command.Empty command) {
      return true;
    }

    @Override
    public Boolean room(Command.RoomCommand c) {
      started();
      io.parlance.client.node.Rooms rooms;
      try {
        rooms = node.rooms();
      } catch (IllegalStateException e) {
        answerQuery(e, () -> null);
        return true;
      }
      String room = c.room();
      java.util.concurrent.CompletableFuture<Reply> answer =
          switch (c.verb()) {
            case "create" ->
                rules(c.arg())
                    .thenCompose(rules -> rooms.create(room, rules))
                    .thenApply(
                        r ->
                            Reply.RoomReply.done(
                                "created",
                                r,
                                "Created room '"
                                    + r.name()
                                    + "' ("
                                    + r.id().substring(0, 8)
                                    + ")"
                                    + rulesNote(c.arg())
                                    + "; /room invite "
                                    + r.name()
                                    + " <peer> to admit someone"));
            case "invite" ->
                resolveThen(c.arg(), peer -> rooms.invite(room, peer))
                    .thenApply(
                        r ->
                            Reply.RoomReply.done(
                                "invited", r, "Invited " + c.arg() + " to '" + r.name() + "'"));
            case "remove" ->
                rooms
                    .remove(room, c.arg())
                    .thenApply(
                        r ->
                            Reply.RoomReply.done(
                                "removed", r, "Removed " + c.arg() + " from '" + r.name() + "'"));
            case "use" -> {
              String before = currentRoom;
              currentRoom = room; // at once: the next line may come before the answer
              yield rooms
                  .info(room)
                  .whenComplete(
                      (r, error) -> {
                        if (error != null && room.equals(currentRoom)) {
                          currentRoom = before;
                        }
                      })
                  .thenApply(
                      r -> {
                        currentRoom = r.id();
                        return Reply.RoomReply.done(
                            "using", r, "Lines without / now go to room '" + r.name() + "'");
                      });
            }
            case "join" ->
                rooms
                    .join(room)
                    .thenApply(
                        r ->
                            Reply.RoomReply.done(
                                "joined",
                                r,
                                "Joined room '"
                                    + r.name()
                                    + "' ("
                                    + r.members()
                                    + " members); /room use "
                                    + r.name()
                                    + " to talk there"));
            case "leave" ->
                rooms
                    .leave(room)
                    .thenApply(
                        r -> {
                          if (r.id().equals(currentRoom)) {
                            currentRoom = null;
                          }
                          return Reply.RoomReply.done("left", r, "Left room '" + r.name() + "'");
                        });
            case "say" -> rooms.say(room, c.arg()).thenApply(m -> Reply.RoomReply.said(room, m));
            case "rooms" ->
                rooms
                    .list()
                    .thenApply(
                        list ->
                            new Reply.RoomReply(
                                "rooms",
                                "",
                                list.isEmpty() ? "No rooms yet; /room create <name> makes one" : "",
                                list,
                                List.of(),
                                List.of(),
                                List.of()));
            case "members" ->
                rooms
                    .members(room)
                    .thenApply(
                        list ->
                            new Reply.RoomReply(
                                "members", room, "", List.of(), list, List.of(), List.of()));
            case "history" ->
                rooms
                    .history(room, Integer.parseInt(c.arg()))
                    .thenApply(
                        list ->
                            new Reply.RoomReply(
                                "history",
                                room,
                                list.isEmpty() ? "No messages in this room yet" : "",
                                List.of(),
                                List.of(),
                                list,
                                List.of()));
            case "propose" -> {
              String[] parts = c.arg().split(" +", 2);
              String target = parts.length > 1 ? parts[1] : "";
              io.parlance.client.peer.Peer online = null;
              try {
                online = parts[0].equalsIgnoreCase("invite") ? node.resolve(target) : null;
              } catch (io.parlance.client.node.SendException e) {
                yield java.util.concurrent.CompletableFuture.failedFuture(e);
              }
              yield rooms
                  .propose(room, parts[0], target, online)
                  .thenApply(
                      list ->
                          new Reply.RoomReply(
                              "proposals",
                              room,
                              "Proposed; the members' votes decide",
                              List.of(),
                              List.of(),
                              List.of(),
                              list));
            }
            case "proposals" ->
                rooms
                    .proposals(room)
                    .thenApply(
                        list ->
                            new Reply.RoomReply(
                                "proposals",
                                room,
                                list.isEmpty() ? "No proposals" : "",
                                List.of(),
                                List.of(),
                                List.of(),
                                list));
            case "vote" ->
                rooms
                    .vote(room, c.arg())
                    .thenApply(
                        list ->
                            new Reply.RoomReply(
                                "proposals", room, "Voted", List.of(), List.of(), List.of(), list));
            default ->
                java.util.concurrent.CompletableFuture.failedFuture(
                    new IllegalArgumentException("unknown room command " + c.verb()));
          };
      answer.whenComplete((reply, error) -> answerQuery(error, () -> reply));
      return true;
    }

    /** The rules of {@code /room create}'s argument: the thresholds invite,remove,promote. */
    private static CompletableFuture<io.parlance.protocol.room.Rules> rules(String arg) {
      String[] t = arg.split(",");
      try {
        return CompletableFuture.completedFuture(
            t.length == 1
                ? (Integer.parseInt(t[0]) == 0
                    ? io.parlance.protocol.room.Rules.MODERATED
                    : new io.parlance.protocol.room.Rules(
                        0, Integer.parseInt(t[0]), Integer.parseInt(t[0])))
                : new io.parlance.protocol.room.Rules(
                    Integer.parseInt(t[0]), Integer.parseInt(t[1]), Integer.parseInt(t[2])));
      } catch (RuntimeException e) {
        return CompletableFuture.failedFuture(
            new IllegalArgumentException("the room's rules: " + e.getMessage()));
      }
    }

    /** Says which changes take votes, e.g. ", admitting takes 2 votes". */
    private static String rulesNote(String arg) {
      String[] t = arg.split(",");
      if (t.length != 3) {
        return "";
      }
      List<String> parts = new ArrayList<>();
      String[] what = {"admitting", "removing", "promoting"};
      for (int i = 0; i < 3; i++) {
        if (!t[i].equals("0")) {
          parts.add(what[i] + " a member takes " + t[i] + " votes");
        }
      }
      return parts.isEmpty() ? "" : ", " + String.join(", ", parts);
    }

    private <T> java.util.concurrent.CompletableFuture<T> resolveThen(
        String target,
        java.util.function.Function<
                io.parlance.client.peer.Peer, java.util.concurrent.CompletableFuture<T>>
            then) {
      try {
        return then.apply(node.resolve(target));
      } catch (io.parlance.client.node.SendException e) {
        return java.util.concurrent.CompletableFuture.failedFuture(e);
      }
    }

    @Override
    public Boolean invalid(Command.Invalid command) {
      face.reply(new Reply.Failure(command.message()));
      return true;
    }

    private synchronized void started() {
      pending++;
    }

    private void finished() {
      CompletableFuture<Void> done = null;
      synchronized (this) {
        pending--;
        if (pending == 0 && drain != null) {
          done = drain;
        }
      }
      if (done != null) {
        done.complete(null);
      }
    }
  }
}
