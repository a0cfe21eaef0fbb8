package io.parlance.client.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parlance.client.control.ControlSession;
import io.parlance.client.control.Inbox;
import io.parlance.client.delivery.Outgoing;
import io.parlance.client.node.NodeEvent;
import io.parlance.client.node.PeerNode;
import io.parlance.client.node.SendException;
import io.parlance.client.peer.Peer;
import io.parlance.protocol.ProtocolException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The JSON-lines front end of a node: command lines in, one JSON event per line out. It serves
 * {@code --json} mode (stdin and stdout) and each connection of a daemon's control socket alike.
 *
 * <p>One instance per node keeps the {@link Inbox} and fans node events out; each client is a
 * {@link Session} with its own output. The answers to a session's commands go to that session only
 * ({@code /send} answers with a {@code sent}, {@code queued} or {@code error} event, {@code /peers}
 * with {@code peers}, ...). A following session (stdin always; a control connection after {@code
 * /follow}) gets every node event instead, its own sends' outcomes included.
 */
final class JsonMode {

  private final PeerNode node;
  private final Inbox inbox;

  /** Orders inbox updates and the fan-out of events against {@code /inbox} and {@code /follow}. */
  private final Object fanOut = new Object();

  private final List<Session> followers = new CopyOnWriteArrayList<>();

  /**
   * Creates the front end with an inbox of default bounds and starts listening to the node; make it
   * before the node starts to hear every event.
   *
   * @param node the node
   */
  JsonMode(PeerNode node) {
    this(node, new Inbox());
  }

  JsonMode(PeerNode node, Inbox inbox) {
    this.node = Objects.requireNonNull(node, "node");
    this.inbox = Objects.requireNonNull(inbox, "inbox");
    node.addListener(this::onEvent);
  }

  Inbox inbox() {
    return inbox;
  }

  private void onEvent(NodeEvent event) {
    synchronized (fanOut) {
      if (event instanceof NodeEvent.MessageReceived m) {
        inbox.add(m);
      }
      if (followers.isEmpty()) {
        return;
      }
      String line = JsonEvents.toLine(JsonEvents.toJson(event));
      for (Session s : followers) {
        s.out.accept(line);
      }
    }
  }

  /**
   * Opens a session. Its output must not block for long: a control connection queues, stdout
   * prints.
   *
   * @param out where the session's lines go, one JSON object each, without line breaks
   * @param follow true to get every node event from now on
   * @return the session
   */
  Session open(Consumer<String> out, boolean follow) {
    Session session = new Session(out);
    if (follow) {
      session.follow();
    }
    return session;
  }

  /**
   * Returns an output that prints each line to a writer and flushes it.
   *
   * @param out the writer
   * @return the output
   */
  static Consumer<String> printer(PrintWriter out) {
    return line -> {
      synchronized (out) {
        out.println(line);
        out.flush();
      }
    };
  }

  static List<String> names(List<Peer> peers) {
    List<String> names = new ArrayList<>();
    for (Peer p : peers) {
      names.add(p.nickname());
      names.add(p.qualifiedName());
    }
    return names;
  }

  /** One client of the JSON-lines front end. */
  final class Session implements ControlSession {

    private final Consumer<String> out;
    private volatile boolean following;
    private int pending; // guarded by this: commands whose answer is still to come
    private CompletableFuture<Void> drain; // guarded by this

    private Session(Consumer<String> out) {
      this.out = Objects.requireNonNull(out, "out");
    }

    private void emit(ObjectNode json) {
      out.accept(JsonEvents.toLine(json));
    }

    /**
     * Reads commands until {@code /quit} or the end of the input; the caller stops the node.
     *
     * @param in the input, e.g. stdin
     * @throws IOException if reading fails
     */
    void run(BufferedReader in) throws IOException {
      for (String line; (line = in.readLine()) != null; ) {
        if (!line(line)) {
          return;
        }
      }
    }

    boolean following() {
      return following;
    }

    @Override
    public boolean line(String line) {
      Command command = Command.parse(line, names(node.peers()));
      if (command instanceof Command.Quit) {
        return false;
      } else if (command instanceof Command.Peers) {
        emit(JsonEvents.peers(node.peers(), node::trustOf));
      } else if (command instanceof Command.Send s) {
        send(s.target(), s.text());
      } else if (command instanceof Command.Broadcast b) {
        broadcast(b.text());
      } else if (command instanceof Command.Nick n) {
        nick(n.nickname());
      } else if (command instanceof Command.Verify v) {
        try {
          emit(JsonEvents.verification(node.verify(v.target())));
        } catch (SendException e) {
          emit(JsonEvents.error(e.getMessage()));
        }
      } else if (command instanceof Command.Trust t) {
        try {
          Peer peer = node.trust(t.target());
          emit(
              JsonEvents.event("trusted")
                  .put("nickname", peer.nickname())
                  .put("id", peer.id().value()));
        } catch (SendException e) {
          emit(JsonEvents.error(e.getMessage()));
        }
      } else if (command instanceof Command.History h) {
        started();
        node.history(h.peer(), h.limit())
            .whenComplete(
                (messages, error) ->
                    answer(error, () -> emit(JsonEvents.history(h.peer(), messages))));
      } else if (command instanceof Command.Search q) {
        started();
        node.search(q.text(), Command.MAX_HISTORY)
            .whenComplete(
                (messages, error) ->
                    answer(error, () -> emit(JsonEvents.search(q.text(), messages))));
      } else if (command instanceof Command.Help) {
        emit(JsonEvents.help());
      } else if (command instanceof Command.Inbox) {
        synchronized (fanOut) {
          emit(JsonEvents.inbox(inbox.messages()));
        }
      } else if (command instanceof Command.Follow f) {
        synchronized (fanOut) {
          follow();
          emit(JsonEvents.event("following"));
          if (f.withInbox()) {
            emit(JsonEvents.inbox(inbox.messages()));
          }
        }
      } else if (command instanceof Command.Invalid i) {
        emit(JsonEvents.error(i.message()));
      }
      // Clear and Empty do nothing here.
      return true;
    }

    private void follow() {
      synchronized (fanOut) {
        if (!following) {
          following = true;
          followers.add(this);
        }
      }
    }

    private void send(String target, String text) {
      if (following) {
        node.send(target, text); // the outcome arrives as a sent or error event
        return;
      }
      started();
      node.send(target, text).whenComplete((outgoing, error) -> answer(target, outgoing, error));
    }

    private void broadcast(String text) {
      List<Peer> peers = node.peers();
      if (following || peers.isEmpty()) {
        // With no peer, the node answers with an error event at once.
        CompletableFuture<List<Outgoing>> all = node.broadcast(text);
        if (!following) {
          started();
          all.whenComplete((sent, error) -> answer("everyone", null, error));
        }
        return;
      }
      for (Peer p : peers) {
        started();
        node.send(p, text)
            .whenComplete((outgoing, error) -> answer(p.qualifiedName(), outgoing, error));
      }
    }

    private void answer(String target, Outgoing outgoing, Throwable error) {
      try {
        if (error == null) {
          emit(JsonEvents.outcome(outgoing));
        } else {
          Throwable cause =
              error instanceof CompletionException && error.getCause() != null
                  ? error.getCause()
                  : error;
          emit(
              cause instanceof SendException e
                  ? JsonEvents.toJson(new NodeEvent.SendFailed(target, e))
                  : JsonEvents.error(ExecutionExceptionHandler.reason(cause)));
        }
      } finally {
        finished();
      }
    }

    /** Emits a query's answer, or its error, and counts the command as answered. */
    private void answer(Throwable error, Runnable emitAnswer) {
      try {
        if (error == null) {
          emitAnswer.run();
        } else {
          Throwable cause =
              error instanceof CompletionException && error.getCause() != null
                  ? error.getCause()
                  : error;
          emit(JsonEvents.error(ExecutionExceptionHandler.reason(cause)));
        }
      } finally {
        finished();
      }
    }

    private void nick(String nickname) {
      String before = node.nickname();
      try {
        node.changeNickname(nickname);
      } catch (ProtocolException e) {
        emit(JsonEvents.error("cannot change the nickname: " + e.getMessage()));
        return;
      }
      if (!following) {
        emit(JsonEvents.toJson(new NodeEvent.NicknameChanged(before, nickname)));
      }
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

    @Override
    public CompletionStage<Void> drained() {
      CompletableFuture<Void> done;
      synchronized (this) {
        if (following) {
          return new CompletableFuture<>(); // streams until the client or the server closes
        }
        if (drain == null) {
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

    @Override
    public void closed() {
      synchronized (fanOut) {
        following = false;
        followers.remove(this);
      }
    }
  }
}
