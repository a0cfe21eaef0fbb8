package io.parlance.protocol.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import io.parlance.protocol.ProtocolException;

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
}
