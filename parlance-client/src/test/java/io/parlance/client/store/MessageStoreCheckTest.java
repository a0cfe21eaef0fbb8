package io.parlance.client.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When an open checks the database's integrity: after anything but a clean close, and weekly. */
class MessageStoreCheckTest {

  private static final long DAY = 24 * 3600 * 1000L;

  @TempDir Path dir;
  private final AtomicLong now = new AtomicLong(100 * DAY);

  private Path file() {
    return dir.resolve("messages.db");
  }

  private Path mark() {
    return dir.resolve("messages.db" + MessageStore.CLOSED_SUFFIX);
  }

  private MessageStore open() {
    return MessageStore.open(file(), now::get, 200);
  }

  @Test
  void aCleanCloseLetsTheNextOpenGoWithoutTheCheckAndAnOpenWithoutACloseDoesNot() {
    MessageStore first = open();
    assertThat(first.integrityChecks).isEqualTo(1);
    first.enqueue("bob-key", "bob", "kept", 10);
    first.close();
    assertThat(mark()).exists();

    MessageStore second = open();
    assertThat(second.integrityChecks).isZero();
    assertThat(mark()).doesNotExist(); // taken: a crash of this run leaves none
    assertThat(second.history("bob-key", 10)).extracting(StoredMessage::content).contains("kept");

    MessageStore afterACrash = open(); // the second was never closed, as after kill -9
    assertThat(afterACrash.integrityChecks).isEqualTo(1);
    afterACrash.close();
    second.close();
  }

  @Test
  void aWeekAfterTheLastCheckTheOpenChecksAgainEvenAfterCleanCloses() {
    open().close();
    now.addAndGet(6 * DAY);
    MessageStore withinTheWeek = open();
    assertThat(withinTheWeek.integrityChecks).isZero();
    withinTheWeek.close(); // keeps the first check's time, not this open's

    now.addAndGet(DAY);
    MessageStore aWeekOn = open();
    assertThat(aWeekOn.integrityChecks).isEqualTo(1);
    aWeekOn.close();
    MessageStore next = open();
    assertThat(next.integrityChecks).isZero();
    next.close();
  }

  @Test
  void aMarkThatIsNotATimeOrIsFromTheFutureIsNoReasonToSkipTheCheck() throws Exception {
    open().close();
    for (String text : new String[] {"not a time", "", Long.toString(now.get() + DAY), "-5"}) {
      Files.writeString(mark(), text, StandardCharsets.US_ASCII);
      MessageStore store = open();
      assertThat(store.integrityChecks).as("mark '%s'", text).isEqualTo(1);
      store.close();
    }
  }

  @Test
  void aStoreFoundDamagedLeavesNoMarkOfACleanClose() {
    MessageStore store = open();
    store.damaged();
    store.close();

    assertThat(mark()).doesNotExist();
  }

  @Test
  void aFileDestroyedAfterACleanCloseIsStillRefusedAtTheOpen() throws Exception {
    open().close();
    assertThat(mark()).exists();
    byte[] garbage = "not a database any more".repeat(300).getBytes(StandardCharsets.US_ASCII);
    Files.write(file(), garbage);
    Files.deleteIfExists(dir.resolve("messages.db-wal"));
    Files.deleteIfExists(dir.resolve("messages.db-shm"));

    assertThatThrownBy(this::open)
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("corrupt");
    assertThat(Files.readAllBytes(file())).isEqualTo(garbage);
  }

  @Test
  void aReadOnlyOpenNeitherTakesNorLeavesTheMark() {
    open().close();
    MessageStore reader = MessageStore.openReadOnly(file());
    assertThat(mark()).exists();
    reader.close();
    assertThat(mark()).exists();
    MessageStore next = open();
    assertThat(next.integrityChecks).isZero();
    next.close();
  }
}
