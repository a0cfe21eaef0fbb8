package io.parlance.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class HelpWrapTest {

  private static String help(int columns, String... args) {
    ParlanceCommand command = new ParlanceCommand();
    command.environment = Map.of("COLUMNS", Integer.toString(columns));
    CommandLine cmd = Main.commandLine(command);
    StringWriter out = new StringWriter();
    cmd.setOut(new PrintWriter(out));
    cmd.setErr(new PrintWriter(new StringWriter()));
    assertThat(cmd.execute(args)).isZero();
    return out.toString();
  }

  private static List<String> words(String text) {
    return Arrays.stream(text.split("\\s+")).filter(w -> !w.isEmpty()).toList();
  }

  private static List<String> rows(String text) {
    return text.lines().toList();
  }

  @Test
  void helpAtFortyColumnsFitsAndBreaksNoWord() {
    String wide = help(1000, "--help");
    String narrow = help(40, "--help");
    assertThat(rows(narrow)).allSatisfy(row -> assertThat(row.length()).isLessThanOrEqualTo(40));
    // The same words in the same order: a word cut in two would be two other words.
    assertThat(words(narrow)).isEqualTo(words(wide));
    assertThat(words(narrow))
        .contains(
            "--max-connections-per-address=N",
            "ws://example.org:8080",
            "[--[no-]require-encryption]");
  }

  @Test
  void aSubcommandsHelpAtFortyColumnsFitsAndBreaksNoWord() {
    String wide = help(1000, "send", "--help");
    String narrow = help(40, "send", "--help");
    assertThat(rows(narrow)).allSatisfy(row -> assertThat(row.length()).isLessThanOrEqualTo(40));
    assertThat(words(narrow)).isEqualTo(words(wide));
  }

  @Test
  void atEightyColumnsAnOptionKeepsItsDescriptionBesideIt() {
    String help = help(80, "--help");
    assertThat(rows(help)).allSatisfy(row -> assertThat(row.length()).isLessThanOrEqualTo(80));
    assertThat(help)
        .containsPattern("(?m)^  -n, --nickname=NAME +Your nickname")
        .containsPattern("(?m)^  /verify <peer> +show your id")
        // Picocli broke these inside the token ("ws: //example.org", "~/. local").
        .contains("ws://example.org:8080", "~/.local/share/parlance/PROFILE");
  }

  @Test
  void inANarrowTerminalADescriptionGoesUnderItsOption() {
    String help = help(40, "--help");
    assertThat(help).containsPattern("(?m)^  -n, --nickname=NAME\\R {8}Your nickname");
  }

  @Test
  void wrapsBetweenWordsIgnoringColourCodes() {
    String bold = "\u001B[1m--flag\u001B[21m\u001B[0m";
    String wrapped = HelpWrap.wrap("  " + bold + "  one two three four five six seven", 30);
    assertThat(wrapped.lines().toList())
        .containsExactly("  " + bold, "        one two three four", "        five six seven");
  }

  @Test
  void aWordLongerThanTheRowIsKeptWhole() {
    String wrapped = HelpWrap.wrap("aaa " + "b".repeat(30) + " c", 20);
    assertThat(wrapped.lines().toList()).containsExactly("aaa", "b".repeat(30), "c");
  }

  @Test
  void aColumnsVariableThatIsNotANumberIsIgnored() {
    assertThat(HelpWrap.terminalWidth(Map.of("COLUMNS", "wide"))).isPositive();
    assertThat(HelpWrap.terminalWidth(Map.of("COLUMNS", "57"))).isEqualTo(57);
  }
}
