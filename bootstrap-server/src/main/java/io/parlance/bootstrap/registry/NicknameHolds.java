package io.parlance.bootstrap.registry;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * Keeps a nickname reserved for the key that last held it, for a while after it left: a plain
 * registration, a Rust Parlance one or another key's cannot take "alice" the moment her keyed
 * connection drops and collect what others send to "alice" (issue 22). Holds last {@code hold}
 * after the key's last registration ended; at most {@code max} are kept, the oldest dropped first.
 * Thread-safe.
 */
public final class NicknameHolds {

  /** A nickname reserved for a key until a time. */
  private record Hold(String id, long untilMillis) {}

  private final long holdMillis;
  private final int max;
  private final LongSupplier clockMillis;

  /** In order of release, so the oldest is first. */
  private final LinkedHashMap<String, Hold> holds = new LinkedHashMap<>();

  /**
   * Creates the holds.
   *
   * @param hold how long a nickname stays reserved after its key left; zero for never
   * @param max the most holds kept
   * @param clockMillis the current time in milliseconds
   */
  public NicknameHolds(Duration hold, int max, LongSupplier clockMillis) {
    Objects.requireNonNull(hold, "hold");
    if (hold.isNegative() || max < 0) {
      throw new IllegalArgumentException("hold and max must not be negative");
    }
    this.holdMillis = hold.toMillis();
    this.max = max;
    this.clockMillis = Objects.requireNonNull(clockMillis, "clockMillis");
  }

  /**
   * Notes that a key's registration of a nickname ended; the nickname is reserved for it from now.
   *
   * @param nickname the nickname
   * @param id the key's fingerprint
   */
  public synchronized void released(String nickname, String id) {
    Objects.requireNonNull(nickname, "nickname");
    Objects.requireNonNull(id, "id");
    if (holdMillis == 0 || max == 0) {
      return;
    }
    holds.remove(nickname);
    holds.put(nickname, new Hold(id, clockMillis.getAsLong() + holdMillis));
    long now = clockMillis.getAsLong();
    Iterator<Map.Entry<String, Hold>> it = holds.entrySet().iterator();
    while (it.hasNext()) {
      Hold h = it.next().getValue();
      if (holds.size() > max || h.untilMillis() <= now) {
        it.remove();
      } else {
        break;
      }
    }
  }

  /**
   * Tells whether a registration may take a nickname: not when another key holds it.
   *
   * @param nickname the nickname asked for
   * @param id the fingerprint of the registering key, or null for a plain registration
   * @return how long the nickname stays reserved for another key, or empty if it may be taken
   */
  public synchronized Optional<Duration> reservedAgainst(String nickname, String id) {
    Hold h = holds.get(nickname);
    if (h == null) {
      return Optional.empty();
    }
    long left = h.untilMillis() - clockMillis.getAsLong();
    if (left <= 0) {
      holds.remove(nickname);
      return Optional.empty();
    }
    if (h.id().equals(id)) {
      return Optional.empty();
    }
    return Optional.of(Duration.ofMillis(left));
  }

  /**
   * Returns how many holds are kept.
   *
   * @return the count, expired ones not yet dropped included
   */
  public synchronized int size() {
    return holds.size();
  }
}
