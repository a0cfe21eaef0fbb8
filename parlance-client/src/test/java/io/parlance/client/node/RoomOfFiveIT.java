package io.parlance.client.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.parlance.client.store.MessageStore;
import io.parlance.client.testing.TestNodes;
import io.parlance.client.testing.TestNodes.Started;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The room scenario with five real nodes in one process on loopback (the namespace lab is
 * not written yet): 1,000 messages from four authors while a fifth member is stopped, then
 * restarted from its store; everyone ends with the same 1,000 in the same order, each once.
 */
class RoomOfFiveIT {

  private static final Duration WAIT = Duration.ofSeconds(120);

  private final TestNodes nodes = new TestNodes();

  @TempDir Path dir;

  @AfterEach
  void stop() {
    nodes.close();
  }

  private static List<String> ids(Started s, String room) throws Exception {
    return s.node().rooms().history(room, 1000).get(20, TimeUnit.SECONDS).stream()
        .map(MessageStore.RoomRow::id)
        .toList();
  }

  @Test
  void fiveMembersAgreeOnOneThousandMessagesAndTheOneThatWasAwayGetsThemOnceInOrder()
      throws Exception {
    List<Started> m = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      m.add(nodes.start(nodes.options(nodes.nick("m" + i)).dataDir(dir.resolve("m" + i)).build()));
    }
    await().atMost(WAIT).until(() -> m.stream().allMatch(s -> s.node().peers().size() >= 4));
    Started creator = m.get(0);
    String room = creator.node().rooms().create("five").get(10, TimeUnit.SECONDS).id();
    for (Started s : m.subList(1, 5)) {
      await()
          .atMost(WAIT)
          .ignoreExceptions()
          .until(
              () -> {
                creator
                    .node()
                    .rooms()
                    .invite(room, creator.node().resolve(s.node().nickname()))
                    .get(10, TimeUnit.SECONDS);
                return true;
              });
      await()
          .atMost(WAIT)
          .ignoreExceptions()
          .until(
              () -> {
                s.node().rooms().join(room).get(10, TimeUnit.SECONDS);
                return true;
              });
    }
    await().atMost(WAIT).until(() -> m.stream().allMatch(s -> info(s, room) == 5));

    Started away = m.get(4);
    for (int i = 0; i < 1000; i++) {
      if (i == 100) {
        away.node().stop();
      }
      m.get(i % 4).node().rooms().say(room, "msg " + i).get(20, TimeUnit.SECONDS);
    }
    Started back =
        nodes.start(nodes.options(away.node().nickname()).dataDir(dir.resolve("m4")).build());
    List<Started> all = new ArrayList<>(m.subList(0, 4));
    all.add(back);
    for (Started s : all) {
      await().atMost(WAIT).until(() -> ids(s, room).size() == 1000);
    }
    List<String> order = ids(creator, room);
    assertThat(order).doesNotHaveDuplicates();
    for (Started s : all) {
      assertThat(ids(s, room)).isEqualTo(order);
    }
  }

  private static int info(Started s, String room) {
    try {
      return s.node().rooms().info(room).get().members();
    } catch (Exception e) {
      return 0;
    }
  }
}
