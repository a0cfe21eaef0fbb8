package io.parlance.client.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.parlance.client.node.PeerNode;
import io.parlance.client.peer.Peer;
import io.parlance.protocol.ProtocolException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code --json} front end: reads commands from stdin, one per line, and writes every event to
 * stdout as one JSON object per line; the end of stdin means {@code /quit}.
 */
final class JsonMode {

  private final PeerNode node;
  private final BufferedReader in;
  private final PrintWriter out;

  JsonMode(PeerNode node, BufferedReader in, PrintWriter out) {
    this.node = node;
    this.in = in;
    this.out = out;
    node.addListener(event -> emit(JsonEvents.toJson(event)));
  }

  private void emit(ObjectNode json) {
    synchronized (out) {
      out.println(JsonEvents.toLine(json));
      out.flush();
    }
  }

  /** Runs until /quit or the end of stdin; the caller stops the node. */
  void run() throws IOException {
    for (String line; (line = in.readLine()) != null; ) {
      if (!handle(line)) {
        return;
      }
    }
  }

  private boolean handle(String line) {
    Command command = Command.parse(line, names(node.peers()));
    if (command instanceof Command.Quit) {
      return false;
    } else if (command instanceof Command.Peers) {
      emit(JsonEvents.peers(node.peers()));
    } else if (command instanceof Command.Send s) {
      node.send(s.target(), s.text()); // the outcome arrives as a sent or error event
    } else if (command instanceof Command.Broadcast b) {
      node.broadcast(b.text());
    } else if (command instanceof Command.Nick n) {
      try {
        node.changeNickname(n.nickname());
      } catch (ProtocolException e) {
        emit(JsonEvents.error("cannot change the nickname: " + e.getMessage()));
      }
    } else if (command instanceof Command.Help) {
      emit(JsonEvents.help());
    } else if (command instanceof Command.Invalid i) {
      emit(JsonEvents.error(i.message()));
    }
    // Clear and Empty do nothing here.
    return true;
  }

  static List<String> names(List<Peer> peers) {
    List<String> names = new ArrayList<>();
    for (Peer p : peers) {
      names.add(p.nickname());
      names.add(p.qualifiedName());
    }
    return names;
  }
}
