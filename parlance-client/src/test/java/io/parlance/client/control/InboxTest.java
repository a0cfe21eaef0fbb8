package io.parlance.client.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.parlance.client.node.NodeEvent;
import org.junit.jupiter.api.Test;

class InboxTest {

  private static NodeEvent.MessageReceived message(int i, String content) {
    return new NodeEvent.MessageReceived(
        "bob", content, 1_700_000_000L + i, "127.0.0.1:4000", null);
  }

  @Test
  void theRingKeepsTheNewestMessagesInOrder() {
    Inbox inbox = new Inbox(10, 1_000_000);
    for (int i = 0; i < 25; i++) {
      inbox.add(message(i, "m" + i));
    }

    assertThat(inbox.size()).isEqualTo(10);
    assertThat(inbox.dropped()).isEqualTo(15);
    assertThat(inbox.messages())
        .extracting(NodeEvent.MessageReceived::content)
        .containsExactly("m15", "m16", "m17", "m18", "m19", "m20", "m21", "m22", "m23", "m24");
  }

  @Test
  void theDefaultRingHoldsTenThousand() {
    Inbox inbox = new Inbox();
    for (int i = 0; i < 10_050; i++) {
      inbox.add(message(i, "m" + i));
    }

    assertThat(inbox.size()).isEqualTo(Inbox.DEFAULT_MAX_MESSAGES).isEqualTo(10_000);
    assertThat(inbox.messages().get(0).content()).isEqualTo("m50");
  }

  @Test
  void bigMessagesAreBoundedByCharactersToo() {
    Inbox inbox = new Inbox(1000, 10_000);
    for (int i = 0; i < 10; i++) {
      inbox.add(message(i, "x".repeat(3000)));
    }

    assertThat(inbox.size()).isEqualTo(3);
    inbox.add(message(99, "y".repeat(50_000)));
    assertThat(inbox.messages())
        .singleElement()
        .satisfies(m -> assertThat(m.timestamp()).isEqualTo(1_700_000_099L));
  }
}
