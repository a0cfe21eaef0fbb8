package io.parlance.bootstrap.registry;

import java.util.Optional;

/**
 * The registry of online peers: who holds which nickname, and where they are. The connection
 * handlers use only this interface, so a shared store can replace the in-memory one.
 *
 * <p>A nickname is held by one registration at a time, first come, first served, with one
 * exception: a registration with an {@link PeerEntry#id() identity} replaces a live one of the same
 * identity at once (the peer reconnected before its old connection was found dead). A registration
 * never replaces one of another identity, or one without an identity, and a registration without an
 * identity never replaces anything.
 *
 * <p>Implementations are thread-safe and do not block: they are called on event-loop threads. A
 * remote store would keep a local replica or cache and reconcile in the background.
 */
public interface Registry {

  /** What came of a registration. */
  enum Outcome {
    /** The nickname is now held by the entry. */
    REGISTERED,
    /**
     * The nickname is now held by the entry, in place of a live registration of the same identity;
     * the listeners are told {@link RegistryListener#onReplaced}.
     */
    REPLACED,
    /** Another live registration holds the nickname. */
    TAKEN
  }

  /**
   * Registers an entry if its nickname is free, or held by the entry's identity, and tells the
   * listeners.
   *
   * @param entry the registration
   * @return whether it was registered, and whether it replaced a registration
   */
  Outcome register(PeerEntry entry);

  /**
   * Ends a registration if it is still the one holding its nickname, and tells the listeners.
   *
   * @param entry the registration to end
   * @return true if it was removed
   */
  boolean unregister(PeerEntry entry);

  /**
   * Finds who holds a nickname.
   *
   * @param nickname the nickname
   * @return the registration, if any
   */
  Optional<PeerEntry> lookup(String nickname);

  /**
   * Lists registrations in nickname order.
   *
   * @param after the cursor of the previous page (a nickname), or null to start at the beginning
   * @param limit how many entries at most, at least 1
   * @return the page
   */
  RegistryPage list(String after, int limit);

  /**
   * Counts the registrations.
   *
   * @return how many peers are registered
   */
  long size();

  /**
   * Adds a listener that is told of every later change.
   *
   * @param listener the listener
   */
  void addListener(RegistryListener listener);
}
