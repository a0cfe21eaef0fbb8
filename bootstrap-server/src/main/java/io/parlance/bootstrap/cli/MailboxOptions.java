package io.parlance.bootstrap.cli;

import io.parlance.bootstrap.mailbox.MailboxConfig;
import io.parlance.bootstrap.mailbox.SqliteMailbox;
import io.parlance.protocol.bootstrap.MailFields;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Option;

/** The server's mailbox options: on by default, sized and turned off here. */
final class MailboxOptions {

  @Option(
      names = "--no-mailbox",
      description = "Keep no mail for offline peers (deposits are refused with no_mailbox).")
  boolean noMailbox;

  @Option(
      names = "--mailbox-file",
      description =
          "The mailbox's SQLite file (default: $XDG_DATA_HOME/parlance-bootstrap/mailbox.db, else"
              + " ~/.local/share/parlance-bootstrap/mailbox.db).")
  Path file;

  @Option(
      names = "--mailbox-max-messages",
      defaultValue = "1000",
      description = "Messages one recipient's mailbox holds at most (default: ${DEFAULT-VALUE}).")
  int maxMessages;

  @Option(
      names = "--mailbox-max-bytes",
      defaultValue = "16777216",
      description =
          "Sealed bytes one recipient's mailbox holds at most (default: ${DEFAULT-VALUE}).")
  long maxBytes;

  @Option(
      names = "--mailbox-max-message-bytes",
      defaultValue = "" + MailFields.MAX_SEALED_BYTES,
      description =
          "The largest sealed message kept, in bytes (default and most: ${DEFAULT-VALUE}).")
  int maxMessageBytes;

  @Option(
      names = "--mailbox-expiry",
      defaultValue = "7d",
      converter = BootstrapServerMain.DurationConverter.class,
      description = "How long unfetched mail is kept (default: ${DEFAULT-VALUE}).")
  Duration expiry;

  @Option(
      names = "--mailbox-deposits-per-second",
      defaultValue = "10",
      description =
          "Steady deposits allowed per sender, in bursts of 20 times as many"
              + " (default: ${DEFAULT-VALUE}).")
  double depositsPerSecond;

  /**
   * Returns the mailbox settings, or null with {@code --no-mailbox}.
   *
   * @return the config
   * @throws IllegalArgumentException if a value is out of range
   */
  MailboxConfig config() {
    if (noMailbox) {
      return null;
    }
    Path db = file != null ? file : defaultFile();
    Duration sweep = expiry.compareTo(Duration.ofMinutes(2)) < 0 ? Duration.ofSeconds(1) : null;
    boolean chosen = file != null;
    MailboxConfig defaults =
        MailboxConfig.defaults(
            () -> {
              try {
                return SqliteMailbox.open(db);
              } catch (UncheckedIOException e) {
                if (chosen) {
                  throw e;
                }
                LoggerFactory.getLogger(MailboxOptions.class)
                    .warn(
                        "{}; the mailbox is kept in memory only and lost at a restart. Choose a"
                            + " writable --mailbox-file to keep it",
                        e.getMessage());
                return SqliteMailbox.inMemory();
              }
            });
    return defaults
        .withQuota(maxMessages, maxBytes)
        .withMaxMessageBytes(maxMessageBytes)
        .withExpiry(expiry, sweep != null ? sweep : defaults.sweepInterval())
        .withSenderRate(
            depositsPerSecond,
            Math.max(1, (int) Math.min(10_000, Math.ceil(depositsPerSecond * 20))));
  }

  static Path defaultFile() {
    String xdg = System.getenv("XDG_DATA_HOME");
    Path base =
        xdg != null && !xdg.isBlank()
            ? Path.of(xdg)
            : Path.of(System.getProperty("user.home"), ".local", "share");
    return base.resolve("parlance-bootstrap").resolve("mailbox.db");
  }
}
