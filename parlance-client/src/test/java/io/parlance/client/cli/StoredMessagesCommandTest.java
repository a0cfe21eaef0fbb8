package io.parlance.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.parlance.client.store.MessageStore;
import io.parlance.client.store.StoredMessage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code parlance history} and {@code parlance search}, reading a profile's store. */
class StoredMessagesCommandTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  private Path profile;

  @BeforeEach
  void fill() throws Exception {
    profile = Files.createDirectories(dir.resolve("alice"));
    try (MessageStore store = MessageStore.open(profile.resolve(MessageStore.FILE))) {
      StoredMessage hello = store.enqueue("BOB-ID", "bob", "hello bob", 1_795_000_000);
      store.markSent("BOB-ID", hello.id());
      store.markDelivered("BOB-ID", hello.id());
      store.receive("r-1", "BOB-ID", "bob", "hi alice, see you at the café", 1_795_000_060, true);
      store.enqueue("BOB-ID", "bob", "line\nbreak", 1_795_000_120);
      store.receive("r-2", "CAROL-ID", "carol", "not bob", 1_795_000_180);
    }
  }

  private int run(String... args) {
    ParlanceCommand command = new ParlanceCommand();
    command.environment = Map.of("XDG_DATA_HOME", dir.resolve("data").toString());
    command.workingDirectory = dir;
    CommandLine cmd = Main.commandLine(command);
    cmd.setOut(new PrintWriter(out));
    cmd.setErr(new PrintWriter(err));
    return cmd.execute(args);
  }

  private List<JsonNode> jsonLines() throws Exception {
    List<JsonNode> lines = new ArrayList<>();
    for (String line : out.toString().split("\n")) {
      if (!line.isBlank()) {
        lines.add(JSON.readTree(line));
      }
    }
    return lines;
  }

  @Test
  void historyPrintsAConversationOldestFirstWithTheStateOfOurMessages() {
    assertThat(run("history", "--data-dir", profile.toString(), "bob")).isZero();

    String[] lines = out.toString().split("\n");
    assertThat(lines).hasSize(4);
    assertThat(lines[0])
        .matches("\\[\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d] → bob: hello bob \\(delivered\\)");
    assertThat(lines[1]).endsWith("] bob: hi alice, see you at the café");
    // A line break in a message goes on an indented continuation line, never a new message line.
    assertThat(lines[2]).endsWith("] → bob: line");
    assertThat(lines[3])
        .isEqualTo(" ".repeat("[2026-11-21 14:02:17] ".length()) + "break (queued)");
  }

  @Test
  void historyAsJsonHasOneObjectPerMessageAndHonoursTheCount() throws Exception {
    assertThat(run("history", "--data-dir", profile.toString(), "--json", "BOB-ID", "-n", "2"))
        .isZero();

    List<JsonNode> lines = jsonLines();
    assertThat(lines).hasSize(2);
    assertThat(lines.get(0).path("id").asText()).isEqualTo("r-1");
    assertThat(lines.get(0).path("direction").asText()).isEqualTo("in");
    assertThat(lines.get(0).path("state").asText()).isEqualTo("received");
    assertThat(lines.get(1).path("content").asText()).isEqualTo("line\nbreak");
    assertThat(lines.get(1).path("direction").asText()).isEqualTo("out");
    assertThat(lines.get(1).path("peer").asText()).isEqualTo("BOB-ID");
    assertThat(lines.get(1).path("timestamp").asLong()).isEqualTo(1_795_000_120L);
  }

  @Test
  void searchFindsWordsAcrossConversationsMostRecentFirst() throws Exception {
    assertThat(run("search", "--data-dir", profile.toString(), "--json", "bob")).isZero();
    assertThat(jsonLines())
        .extracting(n -> n.path("content").asText())
        .containsExactly("not bob", "line\nbreak", "hi alice, see you at the café", "hello bob");
    // Whether each received message's sender proved its key; nothing for our own.
    assertThat(jsonLines())
        .extracting(n -> n.path("verified").isMissingNode() ? "-" : n.path("verified").asText())
        .containsExactly("false", "-", "true", "-");

    out.getBuffer().setLength(0);
    assertThat(run("search", "--data-dir", profile.toString(), "see", "CAFÉ")).isZero();
    assertThat(out.toString().strip()).endsWith("bob: hi alice, see you at the café");
  }

  @Test
  void historyMarksAMessageWhoseSenderProvedNothingAsUnverified() {
    assertThat(run("history", "--data-dir", profile.toString(), "carol")).isZero();
    assertThat(out.toString().strip()).endsWith("] carol (unverified): not bob");
  }

  @Test
  void optionsSharedWithParlanceMayGoBeforeTheCommandNameAndTheOneAfterWins() throws Exception {
    assertThat(run("--json", "--data-dir", profile.toString(), "history", "BOB-ID", "-n", "1"))
        .isZero();
    assertThat(jsonLines())
        .extracting(n -> n.path("content").asText())
        .containsExactly("line\nbreak");

    out.getBuffer().setLength(0);
    String elsewhere = dir.resolve("elsewhere").toString();
    assertThat(run("--data-dir", elsewhere, "search", "--data-dir", profile.toString(), "café"))
        .isZero();
    assertThat(out.toString().strip()).endsWith("bob: hi alice, see you at the café");
  }

  @Test
  void anOptionBeforeACommandThatDoesNotTakeItIsAUsageErrorNamingIt() {
    assertThat(run("--nickname", "ivy", "history", "--data-dir", profile.toString(), "bob"))
        .isEqualTo(2);
    assertThat(err.toString())
        .startsWith(
            "parlance: --nickname does not apply to 'parlance history' (see 'parlance history"
                + " --help' for its options)");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void noMatchIsSaidOnStderrWhileJsonOutputStaysEmpty() {
    assertThat(run("history", "--data-dir", profile.toString(), "nobody")).isZero();
    assertThat(out.toString()).isEmpty();
    assertThat(err.toString().strip())
        .isEqualTo("no message with 'nobody' is kept (a nickname, a peer id or its start)");

    err.getBuffer().setLength(0);
    assertThat(run("search", "--data-dir", profile.toString(), "--json", "absent")).isZero();
    assertThat(out.toString()).isEmpty();
    assertThat(err.toString()).isEmpty();
  }

  @Test
  void aProfileWithNoStoreYetIsAFailureThatSaysSo() {
    Path empty = dir.resolve("empty");
    assertThat(run("history", "--data-dir", empty.toString(), "bob")).isEqualTo(1);
    assertThat(err.toString()).contains("there is no history database at");
    assertThat(Files.exists(empty.resolve(MessageStore.FILE))).isFalse();
  }

  @Test
  void aCorruptStoreIsAFailureThatSaysSoAndIsLeftAlone() throws Exception {
    Path broken = Files.createDirectories(dir.resolve("broken"));
    byte[] garbage = "garbage, not SQLite".repeat(300).getBytes();
    Files.write(broken.resolve(MessageStore.FILE), garbage);

    assertThat(run("search", "--data-dir", broken.toString(), "x")).isEqualTo(1);

    assertThat(err.toString()).startsWith("parlance: ").contains("is corrupt");
    assertThat(Files.readAllBytes(broken.resolve(MessageStore.FILE))).isEqualTo(garbage);
  }

  @Test
  void aCountOutOfBoundsIsAUsageError() {
    assertThat(run("history", "--data-dir", profile.toString(), "bob", "-n", "0")).isEqualTo(2);
    assertThat(err.toString()).contains("--count");
  }
}
