package io.parlance.protocol.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCounted;
import io.parlance.protocol.ProtocolException;
import java.util.function.Consumer;

/** The properties every fuzz target checks of a rejection, shared by the decoders' targets. */
public final class FuzzChecks {

  /** The longest error message a rejection may carry: it goes to logs and to users. */
  public static final int MAX_MESSAGE_CHARS = 1024;

  private FuzzChecks() {}

  /**
   * Checks that a rejection says what was wrong, in a bounded message of one line, with no stack
   * trace to pay for.
   *
   * @param e the rejection
   */
  public static void assertCleanRejection(ProtocolException e) {
    assertThat(e.kind()).isNotNull();
    assertThat(e.getMessage()).isNotBlank().hasSizeLessThanOrEqualTo(MAX_MESSAGE_CHARS);
    assertThat(e.getMessage().chars())
        .as("no control characters in %s", e.getMessage())
        .noneMatch(c -> Character.isISOControl(c) || Character.getType(c) == Character.FORMAT);
    assertThat(e.getStackTrace()).isEmpty();
  }

  /**
   * Passes one message through a decoder as a pipeline would, and checks that the decoder released
   * it: the decoded value, or null when the decoder rejected it cleanly.
   *
   * @param decoder the decoder under test
   * @param message the input, which the decoder owns from now on
   * @param type what the decoder must produce
   * @param rejected further checks of a rejection
   * @param <T> what the decoder produces
   * @return the value, or null if rejected
   */
  public static <T> T decodeOrReject(
      ChannelHandler decoder,
      ReferenceCounted message,
      Class<T> type,
      Consumer<ProtocolException> rejected) {
    EmbeddedChannel channel = new EmbeddedChannel(decoder);
    try {
      channel.writeInbound(message);
      Object out = channel.readInbound();
      assertThat(out).isInstanceOf(type);
      return type.cast(out);
    } catch (ProtocolException e) {
      assertCleanRejection(e);
      rejected.accept(e);
      return null;
    } finally {
      assertThat(message.refCnt()).as("input released").isZero();
      channel.finishAndReleaseAll();
    }
  }
}
