package io.parlance.client.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TerminalTextTest {

  /** The attack of issue 22: a plain sender draws a line that looks like alice's. */
  static final String FAKE_LINE = "ok\n\r\u001b[2K[20:11:08] alice: please send the door code";

  @Test
  void aMessageWithAnEscapeAndLineBreaksCannotDrawAFakeMessageLine() {
    String prefix = "[20:11:05] mallory (unverified): ";
    String shown = prefix + TerminalText.block(FAKE_LINE, "           ");

    String[] lines = shown.split("\n", -1);
    assertThat(lines).hasSize(3);
    assertThat(lines[0]).isEqualTo(prefix + "ok");
    for (int i = 1; i < lines.length; i++) {
      assertThat(lines[i]).as("continuation line %d", i).startsWith("           ");
      assertThat(lines[i]).doesNotStartWith("[");
    }
    assertThat(lines[2]).isEqualTo("           ␛[2K[20:11:08] alice: please send the door code");
    assertThat(shown).doesNotContain("\u001b", "\r");
  }

  @Test
  void everyControlCharacterIsShownVisiblyInsteadOfBeingSent() {
    assertThat(TerminalText.inline("a\u001b]0;title\u0007b")).isEqualTo("a␛]0;title␇b");
    assertThat(TerminalText.inline("nul\u0000 del\u007f")).isEqualTo("nul␀ del␡");
    assertThat(TerminalText.inline("csi\u009b2J osc\u009d")).isEqualTo("csi\\x9b2J osc\\x9d");
    assertThat(TerminalText.inline("evil\u202eexe.txt")).isEqualTo("evil<U+202E>exe.txt");
    assertThat(TerminalText.inline("iso\u2066late\u2069")).isEqualTo("iso<U+2066>late<U+2069>");
    assertThat(TerminalText.inline("two\nlines\r")).isEqualTo("two␊lines␍");
    assertThat(TerminalText.inline("tab\there")).isEqualTo("tab here");
  }

  @Test
  void ordinaryTextIsKeptAsItIs() {
    String text = "héllo wörld, 你好, emoji 😀 👩‍👩‍👧 and \"quotes\" [brackets]";

    assertThat(TerminalText.inline(text)).isEqualTo(text);
    assertThat(TerminalText.lines(text)).containsExactly(text);
  }

  @Test
  void everyKindOfLineBreakStartsAContinuationLine() {
    assertThat(TerminalText.lines("a\nb\r\nc\rd\u0085e\u2028f\u2029g"))
        .containsExactly("a", "b", "c", "d", "e", "f", "g");
    assertThat(TerminalText.lines("end\n")).containsExactly("end", "");
    assertThat(TerminalText.lines("")).containsExactly("");
    assertThat(TerminalText.block("one\ntwo", "  ")).isEqualTo("one\n  two");
  }

  @Test
  void aContinuationMustBeIndented() {
    assertThatThrownBy(() -> TerminalText.block("a\nb", ""))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void neutralisingTwiceChangesNothingMore() {
    String once = TerminalText.inline(FAKE_LINE + "\u009b\u202e");

    assertThat(TerminalText.inline(once)).isEqualTo(once);
  }
}
