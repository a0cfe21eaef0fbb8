package io.parlance.client.cli.tui;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class CompletionTest {

  private static final List<String> COMMANDS = List.of("/help", "/history", "/query", "/send");
  private static final List<String> NAMES = List.of("alice smith", "alfred", "bob");

  private static Completion.Result complete(String text) {
    return Completion.complete(text, text.length(), COMMANDS, NAMES);
  }

  @Test
  void aCommandCompletesWhenOneFits() {
    assertThat(complete("/q").text()).isEqualTo("/query ");
  }

  @Test
  void severalCommandsGiveTheirCommonStartAndTheChoices() {
    Completion.Result r = complete("/h");

    assertThat(r.text()).isEqualTo("/h");
    assertThat(r.candidates()).containsExactly("/help", "/history");
    assertThat(complete("/hi").text()).isEqualTo("/history ");
  }

  @Test
  void aNameWithASpaceIsInsertedEscapedAfterACommandThatTakesAPeer() {
    Completion.Result r = complete("/send alice");

    assertThat(r.text()).isEqualTo("/send alice\\ smith ");
    assertThat(r.cursor()).isEqualTo(r.text().length());
  }

  @Test
  void aPartlyTypedEscapedNameStillCompletes() {
    assertThat(complete("/query alice\\ s").text()).isEqualTo("/query alice\\ smith ");
  }

  @Test
  void aNameInsideAMessageIsInsertedAsItIs() {
    assertThat(complete("thanks b").text()).isEqualTo("thanks bob ");
    assertThat(complete("hi al").candidates()).containsExactly("alice smith", "alfred");
    assertThat(complete("hi al").text()).isEqualTo("hi al");
  }

  @Test
  void theTextAfterTheCursorStays() {
    Completion.Result r = Completion.complete("/send b hello", 7, COMMANDS, NAMES);

    assertThat(r.text()).isEqualTo("/send bob  hello");
    assertThat(r.cursor()).isEqualTo(10);
  }

  @Test
  void nothingFitsNothingChanges() {
    assertThat(complete("/zz").text()).isEqualTo("/zz");
    assertThat(complete("/zz").candidates()).isEmpty();
    assertThat(complete("/send bob hel").text()).isEqualTo("/send bob hel");
    assertThat(complete("/nick bo").text()).isEqualTo("/nick bo");
  }
}
