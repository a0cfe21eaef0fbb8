package io.parlance.bootstrap.registry;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The nickname claims of one server with no shared store: decided at once against its own {@link
 * Registry} and {@link NicknameHolds}, so every returned stage is already complete.
 */
public final class LocalClaims implements NicknameClaims {

  private final Registry registry;
  private final NicknameHolds holds;

  /**
   * Creates the claims.
   *
   * @param registry the registry the claims go into
   * @param holds the nicknames reserved for keys that left
   */
  public LocalClaims(Registry registry, NicknameHolds holds) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.holds = Objects.requireNonNull(holds, "holds");
  }

  @Override
  public CompletionStage<Claim> claim(PeerEntry entry) {
    Objects.requireNonNull(entry, "entry");
    Optional<Duration> reserved = holds.reservedAgainst(entry.nickname(), entry.id());
    if (reserved.isPresent()) {
      return CompletableFuture.completedFuture(new Claim(Kind.RESERVED, null, reserved.get()));
    }
    Registry.Outcome outcome = registry.register(entry);
    if (outcome == Registry.Outcome.TAKEN && entry.id() != null) {
      // A plain holder gives way to a keyed registration: a plain peer can prove nothing.
      Optional<PeerEntry> held = registry.lookup(entry.nickname());
      if (held.isPresent() && held.get().id() == null && registry.unregister(held.get())) {
        if (registry.register(entry) != Registry.Outcome.TAKEN) {
          return CompletableFuture.completedFuture(new Claim(Kind.DISPLACED, held.get(), null));
        }
      }
    }
    Kind kind =
        switch (outcome) {
          case REGISTERED -> Kind.REGISTERED;
          case REPLACED -> Kind.REPLACED;
          case TAKEN -> Kind.TAKEN;
        };
    return CompletableFuture.completedFuture(new Claim(kind, null, null));
  }

  @Override
  public void release(PeerEntry entry) {
    if (registry.unregister(entry) && entry.id() != null) {
      holds.released(entry.nickname(), entry.id());
    }
  }
}
