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
}
