package io.parlance.bootstrap.registry;

/** Told of every change to a {@link Registry}, on the thread that made it; it must not block. */
public interface RegistryListener {

  /**
   * A peer registered.
   *
   * @param entry the new registration
   */
  void onJoined(PeerEntry entry);

  /**
   * A registration ended.
   *
   * @param entry the registration that ended
   */
  void onLeft(PeerEntry entry);

  /**
   * A registration took over a nickname from a live registration of the same identity. By default
   * it is told as the old one leaving and the new one joining.
   *
   * @param previous the registration that ended
   * @param entry the registration that holds the nickname now
   */
  default void onReplaced(PeerEntry previous, PeerEntry entry) {
    onLeft(previous);
    onJoined(entry);
  }

  /**
   * A keyed registration took the nickname of a plain one, which has ended (the new one is told
   * {@link #onJoined} besides). By default it is told as the plain one leaving.
   *
   * @param previous the plain registration that ended
   */
  default void onDisplaced(PeerEntry previous) {
    onLeft(previous);
  }
}
