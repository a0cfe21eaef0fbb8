package io.parlance.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.parlance.client.peer.Peer;
import java.io.ByteArrayOutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.junit.jupiter.api.Test;

/** The line chat's tab completion through a real JLine line reader, on a terminal of streams. */
class InteractiveModeCompletionTest {

  private static final List<Peer> PEERS =
      List.of(
          new Peer("alice smith", new InetSocketAddress("127.0.0.1", 4000), Peer.LAN),
          new Peer("bob", new InetSocketAddress("127.0.0.1", 4001), Peer.LAN));

  private static String typed(String keys) throws Exception {
    ByteArrayOutputStream screen = new ByteArrayOutputStream();
    // A pipe that stays open while the line is read, as a keyboard does.
    PipedOutputStream keyboard = new PipedOutputStream();
    PipedInputStream in = new PipedInputStream(keyboard, 4096);
    keyboard.write(keys.getBytes(StandardCharsets.UTF_8));
    keyboard.flush();
    try (keyboard;
        Terminal terminal =
            TerminalBuilder.builder()
                .system(false)
                .streams(in, screen)
                .type("xterm")
                .dumb(false)
                .build()) {
      LineReader reader =
          LineReaderBuilder.builder()
              .terminal(terminal)
              .completer(new InteractiveMode.ChatCompleter(() -> PEERS))
              .build();
      return reader.readLine("> ");
    }
  }

  @Test
  void aNicknameWithASpaceIsCompletedEscapedAndTheSendResolvesToIt() throws Exception {
    String line = typed("/send ali\thello there\r");

    // JLine writes the name escaped or not, as its parser chooses; either must resolve.
    assertThat(line).matches("/send alice(\\\\)? smith hello there");
    assertThat(Command.parse(line, CommandExecutor.names(PEERS)))
        .isEqualTo(new Command.Send("alice smith", "hello there"));
  }

  @Test
  void historyTakesTheEscapedNameToo() throws Exception {
    String line = typed("/history al\t5\r");

    assertThat(Command.parse(line, CommandExecutor.names(PEERS)))
        .isEqualTo(new Command.History("alice smith", 5));
  }

  @Test
  void aCommandNameCompletes() throws Exception {
    assertThat(typed("/pe\t\r")).isEqualTo("/peers ");
  }
}
