package io.parlance.bootstrap.registry;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * Who may hold a nickname: claims a nickname for a registration (one claim per nickname, wherever
 * the servers sharing it are) and ends it, keeping a key's nickname reserved for it a while after.
 * The {@link Registry} shows the result; the claims decide it. In one process it is {@link
 * LocalClaims}; a cluster of servers decides on a shared store, atomically.
 *
 * <p>Implementations are thread-safe and never block: they are called on event-loop threads, and a
 * shared store answers later, through the returned stage.
 */
public interface NicknameClaims {

  /** How a claim ended. */
  enum Kind {
    /** The nickname was free; the entry holds it now. */
    REGISTERED,
    /** The entry took over from a registration of the same identity (or of a dead server). */
    REPLACED,
    /** The entry has a key and took the nickname from a plain registration, which has ended. */
    DISPLACED,
    /** Another live registration holds the nickname. */
    TAKEN,
    /** The nickname is reserved for another key, which left a short while ago. */
    RESERVED
  }

  /**
   * The result of a claim.
   *
   * @param kind how it ended
   * @param previous the registration it replaced or displaced, or null
   * @param reserved how long the nickname stays reserved, for {@link Kind#RESERVED}; else null
   */
  record Claim(Kind kind, PeerEntry previous, Duration reserved) {

    /** Checks the kind. */
    public Claim {
      Objects.requireNonNull(kind, "kind");
    }

    /**
     * Tells whether the entry holds the nickname now.
     *
     * @return true for registered, replaced and displaced
     */
    public boolean held() {
      return kind == Kind.REGISTERED || kind == Kind.REPLACED || kind == Kind.DISPLACED;
    }
  }

  /**
   * Claims the entry's nickname. The registry's listeners are told of the change (on every server
   * that shares the claims).
   *
   * @param entry the registration
   * @return the result; fails when the shared store cannot be reached in time
   */
  CompletionStage<Claim> claim(PeerEntry entry);

  /**
   * Ends a registration if it still holds its nickname; a keyed one leaves its nickname reserved
   * for its key.
   *
   * @param entry the registration
   */
  void release(PeerEntry entry);
}
