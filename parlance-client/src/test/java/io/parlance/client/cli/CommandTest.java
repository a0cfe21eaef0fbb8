package io.parlance.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class CommandTest {

  @Test
  void parsesEveryCommandAndItsAliases() {
    assertThat(Command.parse("/peers", List.of())).isEqualTo(new Command.Peers());
    assertThat(Command.parse("/send bob hi there", List.of()))
        .isEqualTo(new Command.Send("bob", "hi there"));
    assertThat(Command.parse("/broadcast hello all", List.of()))
        .isEqualTo(new Command.Broadcast("hello all"));
    assertThat(Command.parse("/nick carol", List.of())).isEqualTo(new Command.Nick("carol"));
    assertThat(Command.parse("/clear", List.of())).isEqualTo(new Command.Clear());
    for (String help : List.of("/help", "/h")) {
      assertThat(Command.parse(help, List.of())).isEqualTo(new Command.Help());
    }
    for (String quit : List.of("/quit", "/exit", "/q", "  /QUIT  ")) {
      assertThat(Command.parse(quit, List.of())).isEqualTo(new Command.Quit());
    }
    assertThat(Command.parse("   ", List.of())).isEqualTo(new Command.Empty());
  }

  @Test
  void parsesTheTrustCommands() {
    assertThat(Command.parse("/verify bob#OKTR", List.of()))
        .isEqualTo(new Command.Verify("bob#OKTR"));
    assertThat(Command.parse("/trust bob@127.0.0.1:4000", List.of()))
        .isEqualTo(new Command.Trust("bob@127.0.0.1:4000"));
    assertThat(Command.parse("/trust", List.of()))
        .isEqualTo(new Command.Invalid("usage: /trust <peer>"));
    assertThat(Command.parse("/verify  ", List.of()))
        .isEqualTo(new Command.Invalid("usage: /verify <peer>"));
  }

  @Test
  void sendsToAKnownNicknameWithSpacesOrToAQualifiedName() {
    assertThat(Command.parse("/send Bob Smith hello", List.of("Bob Smith", "Bob")))
        .isEqualTo(new Command.Send("Bob Smith", "hello"));
    assertThat(Command.parse("/send bob@127.0.0.1:4000 hi", List.of()))
        .isEqualTo(new Command.Send("bob@127.0.0.1:4000", "hi"));
  }

  @Test
  void aNicknameWithSpacesAsTabCompletionInsertsItEscapedResolvesToThePeer() {
    List<String> known = List.of("alice smith", "alice", "o'hara x");
    assertThat(Command.parse("/send alice\\ smith hello there", known))
        .isEqualTo(new Command.Send("alice smith", "hello there"));
    assertThat(Command.parse("/msg o\\'hara\\ x hi", known))
        .isEqualTo(new Command.Send("o'hara x", "hi"));
    assertThat(Command.parse("/history alice\\ smith 5", known))
        .isEqualTo(new Command.History("alice smith", 5));
    assertThat(Command.parse("/verify alice\\ smith", known))
        .isEqualTo(new Command.Verify("alice smith"));
    assertThat(Command.parse("/send alice\\ jones hi", known))
        .as("an unknown name is left as written")
        .isEqualTo(new Command.Send("alice\\", "jones hi"));
  }

  @Test
  void sendKeepsTheTextAfterTheFirstSeparatorExactlyAsTheRustPeerDoes() {
    assertThat(Command.parse("/send alice    x", List.of()))
        .isEqualTo(new Command.Send("alice", "   x"));
    assertThat(Command.parse("/send alice  two  spaces  ", List.of()))
        .isEqualTo(new Command.Send("alice", " two  spaces  "));
    assertThat(Command.parse("/send Bob Smith   indented", List.of("Bob Smith")))
        .isEqualTo(new Command.Send("Bob Smith", "  indented"));
    assertThat(Command.parse("  /send   bob hi", List.of()))
        .isEqualTo(new Command.Send("bob", "hi"));
    assertThat(Command.parse("/send bob    ", List.of()))
        .isEqualTo(new Command.Invalid("usage: /send <nickname> <message>"));
  }

  @Test
  void explainsWhatIsWrongWithABadLine() {
    assertThat(Command.parse("/send bob", List.of()))
        .isEqualTo(new Command.Invalid("usage: /send <nickname> <message>"));
    assertThat(Command.parse("/dance", List.of()))
        .isEqualTo(new Command.Invalid("unknown command /dance; /help lists the commands"));
    assertThat(Command.parse("hello", List.of())).isInstanceOf(Command.Invalid.class);
  }

  @Test
  void parsesTheControlCommandsInboxAndFollow() {
    assertThat(Command.parse("/inbox", List.of())).isEqualTo(new Command.Inbox());
    assertThat(Command.parse("/follow", List.of())).isEqualTo(new Command.Follow(false));
    assertThat(Command.parse("/follow inbox", List.of())).isEqualTo(new Command.Follow(true));
    assertThat(Command.parse("/follow everything", List.of()))
        .isEqualTo(new Command.Invalid("usage: /follow [inbox]"));
    assertThat(Command.parse("/inbox 3", List.of()))
        .isEqualTo(new Command.Invalid("usage: /inbox"));
  }

  @Test
  void parsesHistoryWithAnOptionalCountAndSearchWithAnyWords() {
    assertThat(Command.parse("/history bob", List.of()))
        .isEqualTo(new Command.History("bob", Command.DEFAULT_HISTORY));
    assertThat(Command.parse("/history bob 5", List.of())).isEqualTo(new Command.History("bob", 5));
    assertThat(Command.parse("/history Bob Smith 7", List.of("Bob Smith")))
        .isEqualTo(new Command.History("Bob Smith", 7));
    assertThat(Command.parse("/history agent 007", List.of("agent 007")))
        .isEqualTo(new Command.History("agent 007", Command.DEFAULT_HISTORY));
    assertThat(Command.parse("/history bob 0", List.of())).isInstanceOf(Command.Invalid.class);
    assertThat(Command.parse("/history bob 1001", List.of())).isInstanceOf(Command.Invalid.class);
    assertThat(Command.parse("/history bob 99999999999999", List.of()))
        .isInstanceOf(Command.Invalid.class);
    assertThat(Command.parse("/history", List.of())).isInstanceOf(Command.Invalid.class);
    assertThat(Command.parse("/search  café  tomorrow ", List.of()))
        .isEqualTo(new Command.Search("café  tomorrow"));
    assertThat(Command.parse("/search", List.of()))
        .isEqualTo(new Command.Invalid("usage: /search <words>"));
  }
}
