package io.parlance.client.mailbox;

import io.parlance.client.security.PeerId;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * Takes the fetched mail that is not one-to-one text (a room line, sealed to us by a member) to
 * where it belongs; called on the {@link MailCourier}'s thread, in the order the mail was
 * deposited.
 */
@FunctionalInterface
public interface MailRouter {

  /** Routes nothing: every letter is one-to-one mail. */
  MailRouter NONE = (from, nickname, text) -> null;

  /**
   * Takes a letter whose seal opened and whose sender's signature verified.
   *
   * @param from the sender's id, proven by its signature inside the seal
   * @param nickname the sender's nickname, as it signed it
   * @param text the letter's text
   * @return null if the letter is one-to-one mail (the courier stores it); else completes once what
   *     it carried is stored, with true to acknowledge it (its sender's outbox then marks it
   *     delivered) or false to leave it in the mailbox unacknowledged (refused, as a direct line
   *     from that sender would be)
   */
  @Nullable CompletionStage<Boolean> route(PeerId from, String nickname, String text);
}
