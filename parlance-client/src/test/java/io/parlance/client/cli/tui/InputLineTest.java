package io.parlance.client.cli.tui;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class InputLineTest {

  private final InputLine input = new InputLine();

  @Test
  void editsAtTheCursorAndKeepsSurrogatePairsWhole() {
    input.insert("hello😀");
    input.left();
    input.backspace();
    input.insert(" ");
    input.home();
    input.delete();
    input.end();
    input.left();
    input.left();

    assertThat(input.text()).isEqualTo("ell 😀");
    assertThat(input.cursor()).isEqualTo(3);
  }

  @Test
  void deleteWordTakesTheWordBeforeTheCursorAndItsBlanks() {
    input.insert("/send bob hello   ");

    input.deleteWord();
    assertThat(input.text()).isEqualTo("/send bob ");
    input.deleteWord();
    assertThat(input.text()).isEqualTo("/send ");
  }

  @Test
  void upRecallsEarlierLinesAndDownComesBackToTheDraft() {
    input.remember(List.of("first", " "));
    input.insert("second");
    assertThat(input.take()).isEqualTo("second");
    input.insert("second");
    input.take(); // a repeat is kept once
    input.insert("draft");

    input.previous();
    assertThat(input.text()).isEqualTo("second");
    input.previous();
    assertThat(input.text()).isEqualTo("first");
    input.previous();
    assertThat(input.text()).isEqualTo("first");
    input.next();
    input.next();
    assertThat(input.text()).isEqualTo("draft");
    assertThat(input.history()).containsExactly("first", "second");
  }

  @Test
  void aMultiLineMessageIsOneEntry() {
    input.insert("one");
    input.insert("\n");
    input.insert("two");

    assertThat(input.take()).isEqualTo("one\ntwo");
    assertThat(input.text()).isEmpty();
    assertThat(input.cursor()).isZero();
  }

  @Test
  void aPasteLongerThanTheLimitIsCutAtOnceNotHeldInFull() {
    String paste = "x".repeat(InputLine.MAX_LENGTH - 1) + "😀" + "y".repeat(70_000);

    assertThat(input.insert(paste)).isFalse();

    assertThat(input.text()).hasSize(InputLine.MAX_LENGTH - 1); // not half a surrogate pair
    assertThat(input.insert("z")).isTrue();
    assertThat(input.insert("z")).isFalse();
  }

  @Test
  void theHistoryIsBounded() {
    for (int i = 0; i < InputLine.MAX_HISTORY + 20; i++) {
      input.insert("line " + i);
      input.take();
    }

    assertThat(input.history()).hasSize(InputLine.MAX_HISTORY).first().isEqualTo("line 20");
  }
}
