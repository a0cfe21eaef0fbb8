package io.parlance.client.mailbox;

import io.parlance.client.internet.BootstrapClient;
import io.parlance.client.internet.BootstrapException;
import io.parlance.client.security.Identity;
import io.parlance.client.security.MailSeal;
import io.parlance.client.security.PeerId;
import io.parlance.client.store.AsyncMessageStore;
import io.parlance.client.store.DeliveryState;
import io.parlance.client.store.StoredMessage;
import io.parlance.protocol.TaskThread;
import io.parlance.protocol.bootstrap.ErrorCode;
import io.parlance.protocol.bootstrap.MailClientFrame;
import io.parlance.protocol.bootstrap.MailFields;
import io.parlance.protocol.bootstrap.MailServerFrame;
import io.parlance.protocol.identity.Fingerprints;
import io.parlance.protocol.identity.Signatures;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries mail through the bootstrap server's mailbox, for peers that are not online together.
 *
 * <p>Once registered it publishes our mail key, fetches what waits for us (opening each message,
 * checking its sender's signature, storing it, dropping copies by message id) and acknowledges it
 * with signed receipts; it takes the notices for mail we deposited (a receipt, checked against the
 * recipient's key, marks ours {@code delivered}; an expiry puts it back to waiting in the outbox);
 * then it deposits, sealed and in order, the messages in our outbox for peers with an id that are
 * away (or still unreachable after {@link #UNREACHABLE_AFTER}). A deposited message stays in the
 * outbox, so direct delivery still happens when both are online; the recipient keeps one copy.
 *
 * <p>All its work runs on one thread of its own, off the event loops; it repeats every {@link
 * #POLL} while registered.
 */
public final class MailCourier implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(MailCourier.class);

  /** How often it fetches and deposits while registered. */
  public static final Duration POLL = Duration.ofSeconds(30);

  /** A message to a listed peer goes to the mailbox when it is still not delivered after this. */
  public static final Duration UNREACHABLE_AFTER = Duration.ofSeconds(30);

  private static final int PAGE = 200;

  /**
   * The most deposits in one round; a round that made some is followed by another after {@link
   * #PACE}, so a sender stays under the server's default frame rate (20 a second per connection).
   */
  static final int CANDIDATES = 40;

  /** The pause between rounds while messages are being deposited. */
  static final Duration PACE = Duration.ofSeconds(3);

  private final Identity identity;
  private final AsyncMessageStore store;
  private final Supplier<@Nullable BootstrapClient> server;
  private final Supplier<String> ourNickname;
  private final Predicate<String> online;
  private final MailListener listener;
  private final TaskThread thread;

  /** Recipients' identity keys, learned from mail key lookups (checked against their ids). */
  private final Map<String, String> keys = new HashMap<>();

  /** Recipients whose mailbox refused a deposit in this round: no more tries until the next. */
  private final Set<String> refusedThisRound = new HashSet<>();

  private volatile MailRouter router = MailRouter.NONE;
  private boolean busy;
  private int depositedThisRound;
  private boolean again;
  private @Nullable BootstrapClient published;
  private volatile boolean closed;

  /**
   * Creates the courier; it acts when {@link #registered()} says the server took us.
   *
   * @param identity our identity
   * @param store the message store
   * @param server the current bootstrap connection, or null
   * @param ourNickname our nickname, signed into each message
   * @param online whether a conversation key's peer is listed now
   * @param listener who hears what happened
   */
  public MailCourier(
      Identity identity,
      AsyncMessageStore store,
      Supplier<@Nullable BootstrapClient> server,
      Supplier<String> ourNickname,
      Predicate<String> online,
      MailListener listener) {
    this.identity = Objects.requireNonNull(identity, "identity");
    this.store = Objects.requireNonNull(store, "store");
    this.server = Objects.requireNonNull(server, "server");
    this.ourNickname = Objects.requireNonNull(ourNickname, "ourNickname");
    this.online = Objects.requireNonNull(online, "online");
    this.listener = Objects.requireNonNull(listener, "listener");
    this.thread =
        new TaskThread(
            "parlance-mail",
            this::round,
            POLL,
            TaskThread.AfterStop.DROP,
            e -> LOG.warn("A mail task failed: {}", e.toString()));
  }

  /**
   * Sets where fetched mail that is not one-to-one text goes (room lines go to the rooms).
   *
   * @param router the router
   */
  public void router(MailRouter router) {
    this.router = Objects.requireNonNull(router, "router");
  }

  /** The server registered us: fetch and deposit now. */
  public void registered() {
    nudge();
  }

  /** A message was queued for a peer that is not online: deposit soon. */
  public void nudge() {
    if (!closed) {
      thread.execute(this::round);
    }
  }

  /**
   * One round: publish the key (once per connection), fetch everything, deposit the rest. A round
   * that deposited something is followed by another, until one finds nothing more to deposit.
   */
  private void round() {
    try {
      startRound();
    } catch (RuntimeException e) {
      busy = false;
      LOG.warn("Mail round failed: {}", e.toString());
    }
  }

  private void startRound() {
    if (closed) {
      return;
    }
    if (busy) {
      again = true;
      return;
    }
    BootstrapClient client = server.get();
    if (client == null || !client.isRegistered()) {
      return;
    }
    busy = true;
    refusedThisRound.clear();
    depositedThisRound = 0;
    CompletableFuture<Void> publish =
        client == published
            ? CompletableFuture.completedFuture(null)
            : client
                .request(
                    id ->
                        new MailClientFrame.KeyPublish(
                            identity.mailKey().publicKey(), identity.mailKey().binding(), id))
                .thenAccept(answer -> published = client);
    publish
        .thenComposeAsync(v -> fetch(client, 0), thread)
        .thenComposeAsync(v -> depositAll(client), thread)
        .whenCompleteAsync(
            (v, error) -> {
              busy = false;
              if (depositedThisRound > 0 && error == null) {
                thread.periodicSoon(PACE);
              }
              if (error != null) {
                Throwable cause = unwrap(error);
                if (cause instanceof BootstrapException b
                    && ErrorCode.NO_MAILBOX.equals(b.code())) {
                  LOG.debug("The bootstrap server keeps no mailbox");
                } else {
                  LOG.warn("Mail round stopped: {}", cause.toString());
                }
              }
              if (again && depositedThisRound == 0) {
                thread.execute(this::round);
              }
              again = false;
            },
            thread);
  }

  // ---- fetching -----------------------------------------------------------------------------

  private CompletableFuture<Void> fetch(BootstrapClient client, long after) {
    return client
        .request(id -> new MailClientFrame.Fetch(after, PAGE, id))
        .thenComposeAsync(
            answer -> {
              MailServerFrame.Mail page = (MailServerFrame.Mail) answer;
              return take(client, page)
                  .thenCompose(
                      v ->
                          page.more()
                              ? fetch(client, page.next())
                              : CompletableFuture.completedFuture(null));
            },
            thread);
  }

  /** Opens, stores and acknowledges one page; handles its notices. */
  private CompletableFuture<Void> take(BootstrapClient client, MailServerFrame.Mail page) {
    List<MailSeal.Letter> letters = new ArrayList<>();
    for (MailServerFrame.Item item : page.items()) {
      try {
        letters.add(
            MailSeal.open(identity, Base64.getDecoder().decode(item.sealed()), item.from()));
      } catch (MailSeal.SealException | IllegalArgumentException e) {
        // Left in the mailbox unacknowledged: it expires there.
        LOG.warn(
            "Dropped a message from the mailbox, deposited by {}: {}", item.from(), e.getMessage());
        listener.problem(
            "a message in the mailbox, deposited by "
                + PeerId.parse(item.from()).shortForm()
                + ", was not shown: "
                + e.getMessage());
      }
    }
    // Room lines (and whatever else the router takes) go their own way, in order; the rest is
    // one-to-one mail for the message store. Each is acknowledged once it is stored.
    MailRouter route = router;
    List<@Nullable CompletableFuture<Boolean>> routed = new ArrayList<>(letters.size());
    for (MailSeal.Letter l : letters) {
      CompletionStage<Boolean> r;
      try {
        r = l.msg().isEmpty() ? null : route.route(PeerId.parse(l.fromId()), l.from(), l.text());
      } catch (RuntimeException e) {
        r = CompletableFuture.failedFuture(e); // the rest of the page is still taken
      }
      routed.add(
          r == null
              ? null
              : r.toCompletableFuture()
                  .exceptionally(
                      e -> {
                        LOG.warn(
                            "A message from the mailbox, deposited by {}, was not taken: {}",
                            l.fromId(),
                            unwrap(e).toString());
                        return false;
                      }));
    }
    CompletableFuture<List<Boolean>> stored =
        letters.isEmpty()
            ? CompletableFuture.completedFuture(List.of())
            : store.submit(
                s -> {
                  List<Boolean> fresh = new ArrayList<>(letters.size());
                  for (int i = 0; i < letters.size(); i++) {
                    MailSeal.Letter l = letters.get(i);
                    fresh.add(
                        l.msg().isEmpty() || routed.get(i) != null
                            ? false
                            : s.receive(l.msg(), l.fromId(), l.from(), l.text(), l.timestamp()));
                  }
                  return fresh;
                });
    CompletableFuture<?> routedDone =
        CompletableFuture.allOf(
            routed.stream().filter(Objects::nonNull).toArray(CompletableFuture[]::new));
    return stored
        .thenCombine(routedDone, (fresh, x) -> fresh)
        .thenComposeAsync(
            fresh -> {
              List<MailClientFrame.Receipt> receipts = new ArrayList<>();
              String me = identity.id().value();
              for (int i = 0; i < letters.size(); i++) {
                MailSeal.Letter l = letters.get(i);
                CompletableFuture<Boolean> r = routed.get(i);
                if (r != null && !r.join()) {
                  continue; // refused: left unacknowledged, it expires in the mailbox
                }
                if (fresh.get(i)) {
                  listener.received(l.from(), PeerId.parse(l.fromId()), l.text(), l.timestamp());
                }
                receipts.add(
                    new MailClientFrame.Receipt(
                        l.fromId(),
                        l.msg(),
                        Base64.getEncoder()
                            .encodeToString(
                                identity.sign(
                                    MailFields.receiptPayload(l.fromId(), me, l.msg())))));
              }
              return notices(client, page.notices())
                  .thenCompose(done -> acknowledge(client, receipts, done));
            },
            thread);
  }

  private CompletableFuture<Void> acknowledge(
      BootstrapClient client,
      List<MailClientFrame.Receipt> receipts,
      List<MailClientFrame.Done> done) {
    CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
    int n = Math.max(receipts.size(), done.size());
    for (int from = 0; from < n; from += MailFields.MAX_ACKS) {
      List<MailClientFrame.Receipt> r =
          receipts.subList(
              Math.min(from, receipts.size()),
              Math.min(from + MailFields.MAX_ACKS, receipts.size()));
      List<MailClientFrame.Done> d =
          done.subList(
              Math.min(from, done.size()), Math.min(from + MailFields.MAX_ACKS, done.size()));
      List<MailClientFrame.Receipt> rc = List.copyOf(r);
      List<MailClientFrame.Done> dc = List.copyOf(d);
      chain =
          chain.thenCompose(
              v -> client.request(id -> new MailClientFrame.Ack(rc, dc, id)).thenApply(a -> null));
    }
    return chain;
  }

  /** Applies notices for mail we deposited; returns those handled. */
  private CompletableFuture<List<MailClientFrame.Done>> notices(
      BootstrapClient client, List<MailServerFrame.Notice> notices) {
    List<MailClientFrame.Done> done = new ArrayList<>();
    CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
    for (MailServerFrame.Notice n : notices) {
      chain =
          chain.thenComposeAsync(
              v -> {
                if (MailServerFrame.Notice.EXPIRED.equals(n.kind())) {
                  return expired(n)
                      .thenAccept(ok -> done.add(new MailClientFrame.Done(n.to(), n.msg())));
                }
                return keyOf(client, n.to())
                    .thenComposeAsync(
                        key -> {
                          Optional<String> problem =
                              key == null
                                  ? Optional.of("the recipient's key is unknown")
                                  : Signatures.problem(
                                      n.to(),
                                      key,
                                      n.sig(),
                                      MailFields.receiptPayload(
                                          identity.id().value(), n.to(), n.msg()));
                          done.add(new MailClientFrame.Done(n.to(), n.msg()));
                          if (problem.isPresent()) {
                            LOG.warn(
                                "A mailbox receipt for {} does not verify: {}",
                                n.msg(),
                                problem.get());
                            return CompletableFuture.completedFuture(null);
                          }
                          return delivered(n.to(), n.msg());
                        },
                        thread);
              },
              thread);
    }
    return chain.thenApply(v -> done);
  }

  private CompletableFuture<Void> delivered(String to, String msg) {
    return store
        .submit(
            s -> s.markDelivered(to, msg) ? s.outgoing(to, msg) : Optional.<StoredMessage>empty())
        .thenAcceptAsync(
            m -> m.ifPresent(message -> listener.changed(message, DeliveryState.DELIVERED)),
            thread);
  }

  private CompletableFuture<Boolean> expired(MailServerFrame.Notice n) {
    return store
        .submit(
            s ->
                s.clearDeposited(n.to(), n.msg())
                    ? s.outgoing(n.to(), n.msg())
                    : Optional.<StoredMessage>empty())
        .thenApplyAsync(
            m -> {
              m.ifPresent(listener::expired);
              return true;
            },
            thread);
  }

  // ---- depositing ---------------------------------------------------------------------------

  private CompletableFuture<Void> depositAll(BootstrapClient client) {
    long unreachable = System.currentTimeMillis() - UNREACHABLE_AFTER.toMillis();
    return store
        .submit(s -> s.mailCandidates(Long.MAX_VALUE, CANDIDATES))
        .thenComposeAsync(
            candidates -> {
              CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
              for (StoredMessage m : candidates) {
                if (!Fingerprints.isCanonical(m.peer()) || m.peer().equals(identity.id().value())) {
                  continue; // a plain peer has no key to seal to
                }
                chain = chain.thenComposeAsync(v -> depositOne(client, m, unreachable), thread);
              }
              return chain;
            },
            thread);
  }

  private CompletableFuture<Void> depositOne(
      BootstrapClient client, StoredMessage m, long unreachableBefore) {
    if (closed || refusedThisRound.contains(m.peer())) {
      return CompletableFuture.completedFuture(null);
    }
    if (online.test(m.peer()) && createdMs(m) > unreachableBefore) {
      return CompletableFuture.completedFuture(null); // direct delivery gets its chance first
    }
    return mailKeyOf(client, m.peer())
        .thenComposeAsync(
            mailKey -> {
              if (mailKey == null) {
                refusedThisRound.add(m.peer());
                return CompletableFuture.completedFuture(null);
              }
              byte[] sealed =
                  MailSeal.seal(
                      identity,
                      ourNickname.get(),
                      m.peer(),
                      mailKey,
                      m.id(),
                      m.timestamp(),
                      m.content());
              if (sealed.length > MailFields.MAX_SEALED_BYTES) {
                listener.problem(
                    "the message to "
                        + m.nickname()
                        + " is too long for the mailbox; it waits for direct delivery");
                refusedThisRound.add(m.peer());
                return CompletableFuture.completedFuture(null);
              }
              String body = Base64.getEncoder().encodeToString(sealed);
              return client
                  .request(
                      id ->
                          new MailClientFrame.Deposit(
                              identity.id().value(), m.peer(), mailKey, m.id(), body, id))
                  .thenComposeAsync(
                      answer ->
                          store
                              .submit(
                                  s ->
                                      s.markDeposited(m.peer(), m.id())
                                          ? s.outgoing(m.peer(), m.id())
                                          : Optional.<StoredMessage>empty())
                              .thenAcceptAsync(
                                  stored ->
                                      stored.ifPresent(
                                          s -> {
                                            depositedThisRound++;
                                            listener.changed(s, DeliveryState.DEPOSITED);
                                          }),
                                  thread),
                      thread)
                  .exceptionallyCompose(error -> refused(m, error));
            },
            thread);
  }

  private CompletableFuture<Void> refused(StoredMessage m, Throwable error) {
    Throwable cause = unwrap(error);
    if (!(cause instanceof BootstrapException b)) {
      return CompletableFuture.failedFuture(cause);
    }
    if (BootstrapException.NOT_CONNECTED.equals(b.code())
        || ErrorCode.NO_MAILBOX.equals(b.code())) {
      return CompletableFuture.failedFuture(cause);
    }
    refusedThisRound.add(m.peer());
    if (ErrorCode.MAIL_KEY_MISMATCH.equals(b.code())) {
      keys.remove(m.peer());
      mailKeys.remove(m.peer());
    }
    if (!ErrorCode.RATE_LIMITED.equals(b.code())) {
      listener.problem(
          "the bootstrap server's mailbox refused the message to "
              + m.nickname()
              + " ("
              + b.code()
              + ": "
              + b.getMessage()
              + "); it stays in the outbox for direct delivery");
    }
    return CompletableFuture.completedFuture(null);
  }

  private final Map<String, String> mailKeys = new HashMap<>();

  /** The peer's mail key, its binding to the peer's id checked; null if it has none. */
  private CompletableFuture<@Nullable String> mailKeyOf(BootstrapClient client, String peer) {
    String known = mailKeys.get(peer);
    if (known != null) {
      return CompletableFuture.completedFuture(known);
    }
    return lookup(client, peer).thenApply(k -> k == null ? null : mailKeys.get(peer));
  }

  /** The peer's identity key, from a mail key lookup; null if it has none. */
  private CompletableFuture<@Nullable String> keyOf(BootstrapClient client, String peer) {
    String known = keys.get(peer);
    if (known != null) {
      return CompletableFuture.completedFuture(known);
    }
    return lookup(client, peer);
  }

  private CompletableFuture<@Nullable String> lookup(BootstrapClient client, String peer) {
    return client
        .request(id -> new MailClientFrame.KeyLookup(peer, id))
        .<@Nullable String>thenApplyAsync(
            answer -> {
              MailServerFrame.MailKey k = (MailServerFrame.MailKey) answer;
              Optional<String> problem =
                  k.to().equals(peer)
                      ? MailFields.mailKeyProblem(peer, k.key(), k.mailKey(), k.mailSig())
                      : Optional.of("it answered for another peer");
              if (problem.isPresent()) {
                LOG.warn(
                    "The mail key the server gave for {} is not bound to it: {}",
                    peer,
                    problem.get());
                return null;
              }
              keys.put(peer, k.key());
              mailKeys.put(peer, k.mailKey());
              return k.key();
            },
            thread)
        .exceptionally(
            error -> {
              Throwable cause = unwrap(error);
              if (cause instanceof BootstrapException b && ErrorCode.NO_MAIL_KEY.equals(b.code())) {
                return null;
              }
              throw new CompletionException(cause);
            });
  }

  private static long createdMs(StoredMessage m) {
    return m.timestamp() * 1000;
  }

  private static Throwable unwrap(Throwable error) {
    Throwable t = error;
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** Stops; mail not deposited stays in the outbox for the next start. */
  @Override
  public void close() {
    closed = true;
    thread.stop(false, java.time.Duration.ofSeconds(2));
  }

  /** Runs a round now and waits for it to be queued, for tests. */
  void roundNow() {
    nudge();
  }
}
