package io.parlance.bootstrap.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.parlance.bootstrap.mailbox.Mailbox;
import io.parlance.bootstrap.mailbox.MailboxConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class MailboxOptionsTest {

  @TempDir Path dir;

  private MailboxOptions parse(String... args) {
    MailboxOptions options = new MailboxOptions();
    new CommandLine(options).parseArgs(args);
    return options;
  }

  @Test
  void theMailboxIsOnByDefaultWithSevenDaysAndTheDocumentedQuotas() {
    MailboxConfig c = parse("--mailbox-file", dir.resolve("m.db").toString()).config();
    assertThat(c.expiry()).isEqualTo(Duration.ofDays(7));
    assertThat(c.maxMessages()).isEqualTo(1000);
    assertThat(c.maxBytes()).isEqualTo(16L * 1024 * 1024);
    assertThat(c.depositsPerSecond()).isEqualTo(10);
    try (Mailbox m = c.store().get()) {
      assertThat(m.stats().messages()).isZero();
    }
    assertThat(Files.exists(dir.resolve("m.db"))).isTrue();
  }

  @Test
  void everyLimitIsSettableAndNoMailboxTurnsItOff() {
    MailboxConfig c =
        parse(
                "--mailbox-file", dir.resolve("m.db").toString(),
                "--mailbox-max-messages", "5",
                "--mailbox-max-bytes", "9000",
                "--mailbox-max-message-bytes", "1000",
                "--mailbox-expiry", "90s",
                "--mailbox-deposits-per-second", "2")
            .config();
    assertThat(c.maxMessages()).isEqualTo(5);
    assertThat(c.maxBytes()).isEqualTo(9000);
    assertThat(c.maxMessageBytes()).isEqualTo(1000);
    assertThat(c.expiry()).isEqualTo(Duration.ofSeconds(90));
    assertThat(c.sweepInterval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(c.depositBurst()).isEqualTo(40);
    assertThat(parse("--no-mailbox").config()).isNull();
  }

  @Test
  void aLimitOutOfRangeIsRefusedSayingWhy() {
    assertThatThrownBy(() -> parse("--mailbox-max-message-bytes", "999999").config())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("largest mail message");
    assertThatThrownBy(() -> parse("--mailbox-max-messages", "0").config())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("positive");
  }

  @Test
  void anUnwritableChosenFileIsAnErrorThatNamesIt() throws Exception {
    Path blocker = dir.resolve("file");
    Files.writeString(blocker, "x");
    MailboxConfig c = parse("--mailbox-file", blocker.resolve("m.db").toString()).config();
    assertThatThrownBy(() -> c.store().get()).hasMessageContaining(blocker.toString());
  }
}
