package io.parlance.client.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.parlance.client.node.NodeEvent;
import io.parlance.client.peer.Peer;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonRendererTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void hostileTextStaysOneJsonLineWithEveryControlCharacterEscaped() throws Exception {
    String hostile = TerminalTextTest.FAKE_LINE + "\u0000\u0007\u009b\u202e\u007f é 😀";
    String line =
        JsonRenderer.line(
            new NodeEvent.MessageReceived(hostile, hostile, 1, "127.0.0.1:4000", null));

    // JSON requires escaping C0 only; C1 (CSI) and bidi controls are escaped too, as a terminal
    // showing the output would act on them.
    assertThat(line)
        .doesNotContain("\n", "\r", "\u001b", "\u0000", "\u0007", "\u009b", "\u202e", "\u007f");
    assertThat(line).contains("\\n", "\\r", "\\u001B", "\\u0000", "\\u0007", "\\u009B", "\\u202E");
    JsonNode parsed = JSON.readTree(line);
    assertThat(parsed.path("event").asText()).isEqualTo("message");
    assertThat(parsed.path("content").asText()).isEqualTo(hostile);
    assertThat(parsed.path("from").asText()).isEqualTo(hostile);
    assertThat(parsed.path("verified").asBoolean()).isFalse();
  }

  @Test
  void repliesKeepTheEventsTheJsonFacesAlwaysAnswered() throws Exception {
    Peer bob = new Peer("bob", new InetSocketAddress("127.0.0.1", 4000), Peer.LAN);

    JsonNode peers =
        JSON.readTree(JsonRenderer.line(new Reply.Peers(List.of(new Reply.Listed(bob, "plain")))));
    JsonNode failure = JSON.readTree(JsonRenderer.line(new Reply.Failure("no such peer")));
    JsonNode renamed = JSON.readTree(JsonRenderer.line(new Reply.NicknameChanged("a", "b")));

    assertThat(peers.path("event").asText()).isEqualTo("peers");
    assertThat(peers.path("peers").get(0).path("nickname").asText()).isEqualTo("bob");
    assertThat(peers.path("peers").get(0).path("trust").asText()).isEqualTo("plain");
    assertThat(peers.path("peers").get(0).path("encrypted").asBoolean()).isFalse();
    assertThat(failure.path("event").asText()).isEqualTo("error");
    assertThat(failure.path("message").asText()).isEqualTo("no such peer");
    assertThat(renamed.path("event").asText()).isEqualTo("nickname_changed");
    assertThat(renamed.path("previous").asText()).isEqualTo("a");
    assertThat(JsonRenderer.line(new Reply.Clear())).isNull();
    assertThat(JsonRenderer.line(new NodeEvent.Stopped())).isEqualTo("{\"event\":\"stopped\"}");
  }
}
