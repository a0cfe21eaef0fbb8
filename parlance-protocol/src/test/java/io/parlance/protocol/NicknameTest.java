package io.parlance.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class NicknameTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "alice",
        "Bob123",
        "user-name_123",
        "a",
        "abcdefghijklmnopqrstuvwxyz012345",
        "José",
        "名前",
        "mid dle"
      })
  void validNicknamesPass(String nickname) {
    assertThat(Nickname.problem(nickname)).isEmpty();
    assertThat(Nickname.requireValid(nickname)).isEqualTo(nickname);
  }

  @ParameterizedTest(name = "[{index}] {1}")
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '\'',
      value = {
        "''                                  | nickname is empty",
        "'   '                               | nickname is only whitespace",
        "' alice'                            | nickname has leading or trailing whitespace",
        "'alice '                            | nickname has leading or trailing whitespace",
        "'abcdefghijklmnopqrstuvwxyz0123456' | nickname is 33 bytes long; the limit is 32 bytes",
        "'éééééééééééééééééé'                | nickname is 36 bytes long",
        "'éééééééééééééééé\u00e9'            | nickname is 34 bytes long",
        "'\n'                                | nickname contains a line break",
        "'\r\n'                              | nickname contains a line break",
        "'al\nice'                           | nickname contains a line break",
        "'bell\u0007'                        | nickname contains a control character (U+0007)",
        "'\u00a0alice'                       | nickname has leading or trailing whitespace",
      })
  void invalidNicknamesFailWithTheirOwnMessage(String nickname, String expected) {
    assertThat(Nickname.problem(nickname))
        .hasValueSatisfying(p -> assertThat(p).contains(expected));
    assertThatThrownBy(() -> Nickname.requireValid(nickname))
        .isInstanceOfSatisfying(
            ProtocolException.class,
            e -> assertThat(e.kind()).isEqualTo(ProtocolError.INVALID_NICKNAME))
        .hasMessageContaining(expected);
  }

  @org.junit.jupiter.api.Test
  void seventeenAccentedLettersAreThirtyFourBytesAndFail() {
    String nickname = "é".repeat(17);
    assertThat(nickname).hasSize(17);
    assertThat(Nickname.problem(nickname))
        .hasValue("nickname is 34 bytes long; the limit is 32 bytes of UTF-8");
  }

  @org.junit.jupiter.api.Test
  void thirtyTwoBytesOfMultiByteTextPass() {
    assertThat(Nickname.isValid("é".repeat(16))).isTrue();
    assertThat(Nickname.isValid("😀".repeat(8))).isTrue();
    assertThat(Nickname.isValid("😀".repeat(8) + "a")).isFalse();
  }

  @org.junit.jupiter.api.Test
  void aNulCharacterIsAControlCharacter() {
    assertThat(Nickname.problem("\u0000"))
        .hasValue("nickname contains a control character (U+0000)");
    assertThat(Nickname.problem("a\u0000b"))
        .hasValue("nickname contains a control character (U+0000)");
  }

  @org.junit.jupiter.api.Test
  void nullIsReportedAsMissing() {
    assertThat(Nickname.problem(null)).hasValue("nickname is missing");
  }

  @org.junit.jupiter.api.Test
  void anUnpairedSurrogateIsRejected() {
    assertThat(Nickname.problem("a\ud800b"))
        .hasValueSatisfying(p -> assertThat(p).contains("surrogate"));
  }
}
