package io.parlance.client.cli;

import io.parlance.client.node.NodeEvent;
import io.parlance.client.node.PeerNode;
import io.parlance.client.node.SendException;
import io.parlance.client.peer.Peer;
import io.parlance.client.store.DeliveryState;
import io.parlance.protocol.ProtocolException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.jline.reader.Candidate;
import org.jline.reader.Completer;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.utils.AttributedString;
import org.jline.utils.AttributedStringBuilder;
import org.jline.utils.AttributedStyle;
import org.jline.utils.InfoCmp.Capability;

/**
 * The interactive chat: a JLine prompt with history and completion of commands and nicknames;
 * events print above the prompt without breaking the line being typed.
 */
final class InteractiveMode {

  private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");
  private static final int[] PALETTE = {
    AttributedStyle.CYAN,
    AttributedStyle.GREEN,
    AttributedStyle.YELLOW,
    AttributedStyle.MAGENTA,
    AttributedStyle.BLUE,
    AttributedStyle.RED
  };

  private final PeerNode node;
  private final Terminal terminal;
  private final LineReader reader;
  private final boolean colour;

  InteractiveMode(PeerNode node, Terminal terminal, Path historyFile) {
    this.node = node;
    this.terminal = terminal;
    Integer colours = terminal.getNumericCapability(Capability.max_colors);
    this.colour = colours != null && colours >= 8;
    this.reader =
        LineReaderBuilder.builder()
            .terminal(terminal)
            .appName("parlance")
            .completer(new ChatCompleter(node))
            .variable(LineReader.HISTORY_FILE, historyFile)
            .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)
            .build();
    node.addListener(this::show);
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
      if (!handle(line)) {
        return;
      }
    }
  }

  private boolean handle(String line) {
    Command command = Command.parse(line, JsonMode.names(node.peers()));
    if (command instanceof Command.Quit) {
      return false;
    } else if (command instanceof Command.Peers) {
      List<Peer> peers = node.peers();
      if (peers.isEmpty()) {
        note("No peers yet.");
      } else {
        note(peers.size() + (peers.size() == 1 ? " peer:" : " peers:"));
        for (Peer p : peers) {
          print(
              new AttributedStringBuilder()
                  .append("  ")
                  .append(name(p.nickname()))
                  .append("  " + p.addressText() + " via " + p.source() + "  " + security(p))
                  .toAttributedString());
        }
      }
    } else if (command instanceof Command.Send s) {
      node.send(s.target(), s.text())
          .thenAccept(
              out -> {
                if (out.state() == DeliveryState.QUEUED) {
                  print(
                      line(LocalTime.now().format(CLOCK))
                          .append("⋯ ")
                          .append(name(out.to()))
                          .append(": " + out.content() + "  (queued: " + out.note() + ")")
                          .toAttributedString());
                }
              });
    } else if (command instanceof Command.History h) {
      node.history(h.peer(), h.limit())
          .whenComplete(
              (messages, error) -> {
                if (error != null) {
                  problem(ExecutionExceptionHandler.reason(unwrap(error)));
                } else if (messages.isEmpty()) {
                  note("No messages with " + h.peer() + " are kept.");
                } else {
                  messages.forEach(m -> note(StoredLines.line(m, ZoneId.systemDefault())));
                }
              });
    } else if (command instanceof Command.Search q) {
      node.search(q.text(), Command.MAX_HISTORY)
          .whenComplete(
              (messages, error) -> {
                if (error != null) {
                  problem(ExecutionExceptionHandler.reason(unwrap(error)));
                } else if (messages.isEmpty()) {
                  note("No message contains " + q.text() + ".");
                } else {
                  note(messages.size() + " found, most recent first:");
                  messages.forEach(m -> note(StoredLines.line(m, ZoneId.systemDefault())));
                }
              });
    } else if (command instanceof Command.Broadcast b) {
      node.broadcast(b.text());
    } else if (command instanceof Command.Nick n) {
      try {
        node.changeNickname(n.nickname());
      } catch (ProtocolException e) {
        problem("Cannot change the nickname: " + e.getMessage());
      }
    } else if (command instanceof Command.Verify v) {
      try {
        PeerNode.Verification check = node.verify(v.target());
        note("Your id:        " + check.ours());
        note(
            check.peer().nickname()
                + "'s id:"
                + " ".repeat(Math.max(1, 10 - check.peer().nickname().length()))
                + (check.peer().id() == null
                    ? "none (a plain peer: it cannot be verified)"
                    : check.peer().id().toString()));
        if (check.peer().id() != null && !check.remembered().contains(check.peer().id())) {
          problem(
              "Accepted before for "
                  + check.peer().nickname()
                  + ": "
                  + check.remembered()
                  + "; /trust accepts the new id after you compared it");
        }
        note("Read both ids to each other over another channel (phone, in person).");
      } catch (SendException e) {
        problem(e.getMessage());
      }
    } else if (command instanceof Command.Trust t) {
      try {
        Peer peer = node.trust(t.target());
        note("Now trusting " + peer.qualifiedName() + " with id " + peer.id() + ".");
      } catch (SendException e) {
        problem(e.getMessage());
      }
    } else if (command instanceof Command.Clear) {
      terminal.puts(Capability.clear_screen);
      terminal.flush();
    } else if (command instanceof Command.Help) {
      Command.HELP.forEach(this::note);
    } else if (command instanceof Command.Inbox || command instanceof Command.Follow) {
      problem("/inbox and /follow are for --json mode and a daemon's control socket");
    } else if (command instanceof Command.Invalid i) {
      problem(i.message());
    }
    return true;
  }

  private void show(NodeEvent event) {
    String now = LocalTime.now().format(CLOCK);
    if (event instanceof NodeEvent.Ready e) {
      note(
          "You are "
              + e.nickname()
              + ", listening on TCP port "
              + e.tcpPort()
              + (e.interfaceName() == null
                  ? ", finding peers through the bootstrap server"
                  : ", discovering peers on " + e.interfaceName())
              + ". Type /help for the commands.");
    } else if (event instanceof NodeEvent.PeerJoined e) {
      print(
          line(now)
              .append("* ")
              .append(name(e.peer().nickname()))
              .append(" joined (" + e.peer().addressText() + ", " + security(e.peer()) + ")")
              .toAttributedString());
    } else if (event instanceof NodeEvent.PeerLeft e) {
      String why =
          switch (e.reason()) {
            case GOODBYE -> "left";
            case TIMEOUT -> "timed out";
            case MOVED -> "moved to another address";
            case REPLACED -> "was replaced at its address";
            case REMOVED -> "is gone";
          };
      print(
          line(now)
              .append("* ")
              .append(name(e.peer().nickname()))
              .append(" " + why + " (" + e.peer().addressText() + ")")
              .toAttributedString());
    } else if (event instanceof NodeEvent.PeerRenamed e) {
      print(
          line(now)
              .append("* " + e.before().nickname() + " is now ")
              .append(name(e.after().nickname()))
              .toAttributedString());
    } else if (event instanceof NodeEvent.MessageReceived e) {
      String at =
          LocalTime.ofInstant(Instant.ofEpochSecond(e.timestamp()), ZoneId.systemDefault())
              .format(CLOCK);
      print(
          line(at)
              .append(name(e.from()))
              .append(e.verified() ? "" : " (unverified)")
              .append(": " + e.content())
              .toAttributedString());
    } else if (event instanceof NodeEvent.MessageRejected e) {
      problem("Refused a message claiming to be from " + e.from() + ": " + e.reason());
    } else if (event instanceof NodeEvent.LineRefused e) {
      problem(
          "Dropped a message of "
              + e.bytes()
              + " bytes from "
              + (e.from() == null ? "an unknown sender" : e.from())
              + " at "
              + e.address()
              + ": "
              + e.reason());
    } else if (event instanceof NodeEvent.TrustWarning e) {
      problem(e.warning());
    } else if (event instanceof NodeEvent.MessageSent e) {
      print(
          line(now)
              .append("→ ")
              .append(name(e.to().nickname()))
              .append(": " + e.content())
              .toAttributedString());
    } else if (event instanceof NodeEvent.Delivery e && e.state() == DeliveryState.DELIVERED) {
      String text = e.content().length() > 40 ? e.content().substring(0, 40) + "…" : e.content();
      note("[" + now + "] ✓ delivered to " + e.to() + ": " + text);
    } else if (event instanceof NodeEvent.SendFailed e) {
      problem(e.error().getMessage());
    } else if (event instanceof NodeEvent.NicknameChanged e) {
      note("You are now " + e.after() + ".");
    } else if (event instanceof NodeEvent.Error e) {
      problem(e.message());
    } else if (event instanceof NodeEvent.ServerStatus e) {
      if (e.status().equals("registered")) {
        note(e.message());
      } else {
        problem(e.message());
      }
    }
  }

  /** How we talk to a peer, in a few words. */
  private String security(Peer p) {
    return switch (node.trustOf(p)) {
      case "plain" -> "plain, unverified";
      case "changed" -> "KEY CHANGED, refused until /trust";
      default -> p.has("tls") ? "encrypted, id " + p.id().shortForm() : "signed, not encrypted";
    };
  }

  private static Throwable unwrap(Throwable error) {
    return error instanceof java.util.concurrent.CompletionException && error.getCause() != null
        ? error.getCause()
        : error;
  }

  private AttributedStringBuilder line(String time) {
    return new AttributedStringBuilder()
        .style(colour ? AttributedStyle.DEFAULT.faint() : AttributedStyle.DEFAULT)
        .append("[" + time + "] ")
        .style(AttributedStyle.DEFAULT);
  }

  private AttributedString name(String nickname) {
    if (!colour) {
      return new AttributedString(nickname);
    }
    int colourIndex = PALETTE[Math.floorMod(nickname.hashCode(), PALETTE.length)];
    return new AttributedString(nickname, AttributedStyle.DEFAULT.bold().foreground(colourIndex));
  }

  private void note(String text) {
    print(
        new AttributedString(
            text, colour ? AttributedStyle.DEFAULT.faint() : AttributedStyle.DEFAULT));
  }

  private void problem(String text) {
    print(
        new AttributedString(
            "! " + text,
            colour
                ? AttributedStyle.DEFAULT.foreground(AttributedStyle.RED)
                : AttributedStyle.DEFAULT));
  }

  private void print(AttributedString text) {
    reader.printAbove(text);
  }

  /** Completes command names, and nicknames after {@code /send} and {@code /history}. */
  private static final class ChatCompleter implements Completer {
    private final PeerNode node;

    ChatCompleter(PeerNode node) {
      this.node = node;
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
        List<Peer> peers = node.peers();
        for (Peer p : peers) {
          boolean shared =
              peers.stream().filter(q -> q.nickname().equals(p.nickname())).count() > 1;
          candidates.add(new Candidate(shared ? p.qualifiedName() : p.nickname()));
        }
      }
    }
  }
}
