package io.parlance.client.cli;

import io.parlance.client.control.ControlSession;
import io.parlance.client.control.Inbox;
import io.parlance.client.node.NodeEvent;
import io.parlance.client.node.PeerNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * The JSON-lines face of a node: command lines in, one JSON object per line out. It serves {@code
 * --json} mode (stdin and stdout) and each connection of a daemon's control socket alike.
 *
 * <p>The {@link CommandExecutor} runs the commands and keeps the {@link Inbox}; this face only
 * renders, through {@link JsonRenderer}. The answers to a session's commands go to that session
 * only ({@code /send} answers with a {@code sent}, {@code queued} or {@code error} event, {@code
 * /peers} with {@code peers}, ...). A following session (stdin always; a control connection after
 * {@code /follow}) gets every node event instead, its own sends' outcomes included.
 */
final class JsonMode {

  private final CommandExecutor executor;

  /**
   * Creates the face with an inbox of default bounds and starts listening to the node; make it
   * before the node starts to hear every event.
   *
   * @param node the node
   */
  JsonMode(PeerNode node) {
    this(node, new Inbox());
  }

  JsonMode(PeerNode node, Inbox inbox) {
    this.executor = new CommandExecutor(node, Objects.requireNonNull(inbox, "inbox"));
  }

  Inbox inbox() {
    return executor.inbox();
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
    return new Session(out, follow);
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

  /** One client of the JSON-lines face. */
  final class Session implements ControlSession, CommandExecutor.Face {

    private final Consumer<String> out;
    private final CommandExecutor.Client client;

    private Session(Consumer<String> out, boolean follow) {
      this.out = Objects.requireNonNull(out, "out");
      this.client = executor.open(this, follow);
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
      return client.following();
    }

    @Override
    public void reply(Reply reply) {
      if (reply.toldByEvents() && client.following()) {
        return; // the node's events tell it to a following session
      }
      String line = JsonRenderer.line(reply);
      if (line != null) {
        out.accept(line);
      }
    }

    @Override
    public void event(NodeEvent event) {
      out.accept(JsonRenderer.line(event));
    }

    @Override
    public boolean line(String line) {
      return client.line(line);
    }

    @Override
    public CompletionStage<Void> drained() {
      return client.drained();
    }

    @Override
    public void closed() {
      client.close();
    }
  }
}
