package io.parlance.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.ArrayList;
import java.util.List;

/**
 * Fuzzes the parser of command lines, which the control socket and {@code --json} mode read from
 * other programs: any line, with any known peer names, is one command whose fields are usable as
 * they are (never an exception), and only what the line said.
 */
class CommandFuzzTest {

  @FuzzTest
  void anyLineParsesToOneWellFormedCommand(FuzzedDataProvider data) {
    List<String> names = new ArrayList<>();
    int count = data.consumeInt(0, 3);
    for (int i = 0; i < count; i++) {
      names.add(data.consumeString(40));
    }
    String line = data.consumeRemainingAsString();

    Command command = Command.parse(line, names);

    assertThat(command).isNotNull();
    String trimmed = line.strip();
    if (trimmed.isEmpty()) {
      assertThat(command).isInstanceOf(Command.Empty.class);
    } else if (!(command instanceof Command.Invalid)) {
      assertThat(trimmed).startsWith("/");
    }
    if (command instanceof Command.Send s) {
      assertThat(s.target()).isNotEmpty();
      // The text after the separator is kept exactly, to the end of the line (as the Rust peer).
      assertThat(s.text()).isNotBlank();
      assertThat(line).endsWith(s.text());
      // The target is as written, or a known name that completion wrote escaped.
      assertThat(trimmed.contains(s.target()) || names.contains(s.target())).isTrue();
    } else if (command instanceof Command.Broadcast b) {
      assertThat(b.text()).isNotEmpty();
      assertThat(trimmed).endsWith(b.text());
    } else if (command instanceof Command.History h) {
      assertThat(h.peer()).isNotEmpty();
      assertThat(h.limit()).isBetween(1, Command.MAX_HISTORY);
      assertThat(trimmed.contains(h.peer()) || names.stream().anyMatch(h.peer()::startsWith))
          .isTrue();
    } else if (command instanceof Command.Nick n) {
      assertThat(n.nickname()).isNotEmpty();
    } else if (command instanceof Command.Verify v) {
      assertThat(v.target()).isNotEmpty();
    } else if (command instanceof Command.Trust t) {
      assertThat(t.target()).isNotEmpty();
    } else if (command instanceof Command.Search q) {
      assertThat(q.text()).isNotBlank();
    } else if (command instanceof Command.Invalid i) {
      assertThat(i.message()).isNotBlank();
    }
  }
}
