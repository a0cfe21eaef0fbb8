package io.parlance.client.cli;

import io.parlance.client.node.NodeEvent;
import io.parlance.client.node.PeerNode;
import io.parlance.client.peer.Peer;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.function.Supplier;
import org.jline.reader.Candidate;
import org.jline.reader.Completer;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.utils.AttributedString;
import org.jline.utils.InfoCmp.Capability;

/**
 * The interactive chat: a JLine prompt with history and completion of commands and nicknames; the
 * {@link CommandExecutor} runs what is typed, and replies and events print above the prompt, as
 * {@link TerminalRenderer} draws them, without breaking the line being typed.
 */
final class InteractiveMode {

  private final PeerNode node;
  private final LineReader reader;
  private final CommandExecutor.Client client;

  InteractiveMode(PeerNode node, Terminal terminal, Path historyFile, boolean colour) {
    this.node = node;
    this.reader =
        LineReaderBuilder.builder()
            .terminal(terminal)
            .appName("parlance")
            .completer(new ChatCompleter(node::peers))
            .variable(LineReader.HISTORY_FILE, historyFile)
            .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)
            .build();
    TerminalRenderer renderer =
        new TerminalRenderer(
            new TerminalRenderer.Screen() {
              @Override
              public void print(AttributedString text) {
                reader.printAbove(
                    AttributedString.join(
                        new AttributedString("\n"),
                        TerminalRenderer.wrap(text, terminal.getWidth())));
              }

              @Override
              public void clear() {
                terminal.puts(Capability.clear_screen);
                terminal.flush();
              }
            },
            colour,
            node::trustOf,
            Clock.systemDefaultZone());
    this.client =
        new CommandExecutor(node, null)
            .open(
                new CommandExecutor.Face() {
                  @Override
                  public void reply(Reply reply) {
                    reply.accept(renderer);
                  }

                  @Override
                  public void event(NodeEvent event) {
                    event.accept(renderer);
                  }
                },
                true);
  }

  /** Runs until /quit, Ctrl-C or Ctrl-D; the caller stops the node. */
  void run() {
    while (true) {
      String line;
      try {
        line = reader.readLine(node.nickname() + "> ");
      } catch (UserInterruptException | EndOfFileException e) {
        return;
      }
      if (!client.line(line)) {
        return;
      }
    }
  }

  /** Completes command names, and nicknames after {@code /send} and {@code /history}. */
  static final class ChatCompleter implements Completer {
    private final Supplier<List<Peer>> online;

    ChatCompleter(Supplier<List<Peer>> online) {
      this.online = online;
    }

    @Override
    public void complete(
        LineReader reader, org.jline.reader.ParsedLine line, List<Candidate> candidates) {
      if (line.wordIndex() == 0) {
        Command.NAMES.forEach(n -> candidates.add(new Candidate(n)));
        return;
      }
      String first = line.words().get(0);
      if (line.wordIndex() == 1
          && (first.equals("/send") || first.equals("/msg") || first.equals("/history"))) {
        List<Peer> peers = online.get();
        for (Peer p : peers) {
          boolean shared =
              peers.stream().filter(q -> q.nickname().equals(p.nickname())).count() > 1;
          candidates.add(new Candidate(shared ? p.qualifiedName() : p.nickname()));
        }
      }
    }
  }
}
