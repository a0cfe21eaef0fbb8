package io.parlance.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class MainTest {

  @Test
  void aPlainStartNeedsNoSubcommandsButAnythingThatMayNameOneOrAskForHelpDoes() {
    assertThat(Main.mayNeedTheSubcommands(new String[] {})).isFalse();
    assertThat(
            Main.mayNeedTheSubcommands(new String[] {"--nickname", "alice", "--interface", "lo"}))
        .isFalse();
    assertThat(Main.mayNeedTheSubcommands(new String[] {"-n", "alice", "--json"})).isFalse();

    assertThat(Main.mayNeedTheSubcommands(new String[] {"peers"})).isTrue();
    assertThat(Main.mayNeedTheSubcommands(new String[] {"--profile", "ivy", "send", "bob", "hi"}))
        .isTrue();
    assertThat(Main.mayNeedTheSubcommands(new String[] {"--help"})).isTrue();
    assertThat(Main.mayNeedTheSubcommands(new String[] {"-h"})).isTrue();
    assertThat(Main.mayNeedTheSubcommands(new String[] {"-V"})).isTrue();
    assertThat(Main.mayNeedTheSubcommands(new String[] {"--version"})).isTrue();
    assertThat(Main.mayNeedTheSubcommands(new String[] {"help", "send"})).isTrue();
    assertThat(Main.mayNeedTheSubcommands(new String[] {"@args.txt"})).isTrue();
  }

  @Test
  void theWholeCommandLineHasExactlyTheSubcommandsThePlainStartChecksFor() {
    Set<String> annotated =
        ParlanceCommand.SUBCOMMANDS.stream()
            .map(c -> c.getAnnotation(picocli.CommandLine.Command.class))
            .flatMap(c -> Stream.concat(Stream.of(c.name()), Stream.of(c.aliases())))
            .collect(Collectors.toSet());
    Set<String> checked = new HashSet<>(Main.SUBCOMMAND_NAMES);
    assertThat(checked.remove("help")).isTrue();

    assertThat(checked).containsExactlyInAnyOrderElementsOf(annotated);
    assertThat(Main.commandLine(new ParlanceCommand()).getSubcommands().keySet())
        .containsExactlyInAnyOrderElementsOf(annotated)
        .contains("daemon", "send", "peers", "inbox", "history", "search", "id");
    for (String name : checked) {
      assertThat(Main.mayNeedTheSubcommands(new String[] {"-n", "alice", name})).isTrue();
    }
  }

  @Test
  void whatDoesNotParseWithoutTheSubcommandsIsAnsweredByTheWholeCommandLineAsBefore() {
    for (String[] args : new String[][] {{"peer"}, {"--nicknam", "x"}, {"-n"}}) {
      StringWriter plain = new StringWriter();
      int code = Main.run(args, new PrintWriter(plain, true));
      StringWriter whole = new StringWriter();
      picocli.CommandLine cmd = Main.commandLine(new ParlanceCommand());
      cmd.setErr(new PrintWriter(whole, true));
      int expected = cmd.execute(args);

      assertThat(code).isEqualTo(expected).isEqualTo(ExecutionExceptionHandler.USAGE);
      assertThat(plain.toString()).isEqualTo(whole.toString()).startsWith("parlance: ");
    }
  }
}
