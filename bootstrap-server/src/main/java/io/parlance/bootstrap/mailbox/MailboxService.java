package io.parlance.bootstrap.mailbox;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.parlance.protocol.TaskThread;
import io.parlance.protocol.TokenBucket;
import io.parlance.protocol.bootstrap.ErrorCode;
import io.parlance.protocol.bootstrap.MailClientFrame;
import io.parlance.protocol.bootstrap.MailFields;
import io.parlance.protocol.bootstrap.MailServerFrame;
import io.parlance.protocol.bootstrap.ServerFrame;
import io.parlance.protocol.identity.Signatures;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the mailbox frames of registered peers: checks who may do what (a registration that proved
 * its key; a deposit only under its own id, sealed to the recipient's published key, within the
 * size, the sender's rate and the recipient's quotas), runs the store on a thread of its own, and
 * answers on the connection's event loop. It also sweeps expired mail on that thread.
 */
public final class MailboxService implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(MailboxService.class);

  /** The most store calls waiting at once; past that, frames are refused as busy. */
  static final int MAX_PENDING = 10_000;

  /** The most items one fetch returns. */
  static final int MAX_FETCH = 200;

  /** The most sealed bytes one fetch returns (base64 of it fits a 1 MiB server frame). */
  static final int MAX_FETCH_BYTES = 600 * 1024;

  /** The most senders whose deposit rate is remembered. */
  private static final int MAX_SENDERS = 100_000;

  /** How the answers reach the connection. */
  public interface Replies {
    /**
     * Writes an answer.
     *
     * @param frame the answer
     */
    void reply(ServerFrame frame);

    /**
     * Writes an error.
     *
     * @param code the code
     * @param message what happened and what to do
     * @param id the request id, or null
     */
    void error(String code, String message, String id);
  }

  private final MailboxConfig config;
  private final Mailbox mailbox;
  private final LongSupplier clock;
  private final TaskThread thread;
  private final AtomicInteger pending = new AtomicInteger();
  private final Map<String, TokenBucket> senders =
      new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, TokenBucket> eldest) {
          return size() > MAX_SENDERS;
        }
      };
  private volatile Mailbox.Stats stats;
  private final Counter deposited;
  private final Counter refused;
  private final Counter fetched;
  private final Counter expired;

  /**
   * Opens the store and starts the sweeper.
   *
   * @param config the settings
   * @param meters where the mailbox's gauges and counters go
   * @param clock now, Unix milliseconds
   */
  public MailboxService(MailboxConfig config, MeterRegistry meters, LongSupplier clock) {
    this.config = config;
    this.clock = clock;
    this.mailbox = config.store().get();
    this.stats = mailbox.stats();
    Gauge.builder("bootstrap.mailbox.messages", this, s -> s.stats.messages())
        .description("Sealed messages waiting in the mailbox")
        .register(meters);
    Gauge.builder("bootstrap.mailbox.bytes", this, s -> s.stats.bytes())
        .description("Sealed bytes waiting in the mailbox")
        .register(meters);
    Gauge.builder("bootstrap.mailbox.notices", this, s -> s.stats.notices())
        .description("Receipts and expiry notices waiting for their senders")
        .register(meters);
    deposited = counter(meters, "bootstrap.mailbox.deposits", "stored");
    refused = counter(meters, "bootstrap.mailbox.deposits", "refused");
    fetched = counter(meters, "bootstrap.mailbox.fetched", null);
    expired = counter(meters, "bootstrap.mailbox.expired", null);
    this.thread =
        new TaskThread(
            "mailbox-store",
            this::sweep,
            config.sweepInterval(),
            TaskThread.AfterStop.REJECT,
            e -> LOG.warn("A mailbox task failed: {}", e.toString()));
  }

  private static Counter counter(MeterRegistry meters, String name, String result) {
    Counter.Builder b = Counter.builder(name).description("Mailbox " + name.substring(18));
    if (result != null) {
      b.tag("result", result);
    }
    return b.register(meters);
  }

  /**
   * Returns what the mailbox holds, as of its last change.
   *
   * @return the counts
   */
  public Mailbox.Stats stats() {
    return stats;
  }

  /**
   * Returns the settings.
   *
   * @return the config
   */
  public MailboxConfig config() {
    return config;
  }

  /**
   * Serves one frame of a registered connection.
   *
   * @param loop the connection's event loop, where the answer is written
   * @param id the id the registration proved, or null for a plain one
   * @param key its key, or null
   * @param frame the frame
   * @param replies how to answer
   */
  public void handle(Executor loop, String id, String key, MailClientFrame frame, Replies replies) {
    if (id == null || key == null) {
      replies.error(
          ErrorCode.MAIL_REFUSED,
          "the mailbox serves only registrations that proved their key; register with an identity",
          frame.id());
      return;
    }
    if (frame instanceof MailClientFrame.KeyPublish publish) {
      Optional<String> problem =
          MailFields.mailKeyProblem(id, key, publish.mailKey(), publish.mailSig());
      if (problem.isPresent()) {
        replies.error(
            ErrorCode.MAIL_REFUSED,
            "this mail key is not bound to your identity: " + problem.get(),
            publish.id());
        return;
      }
      Mailbox.MailKeyRecord record =
          new Mailbox.MailKeyRecord(id, key, publish.mailKey(), publish.mailSig());
      submit(
          loop,
          replies,
          publish.id(),
          () -> {
            mailbox.publishKey(record);
            return new MailServerFrame.MailKey(
                id, key, publish.mailKey(), publish.mailSig(), publish.id());
          });
    } else if (frame instanceof MailClientFrame.KeyLookup lookup) {
      submit(
          loop,
          replies,
          lookup.id(),
          () ->
              mailbox
                  .mailKey(lookup.to())
                  .<Object>map(
                      r ->
                          new MailServerFrame.MailKey(
                              r.id(), r.key(), r.mailKey(), r.mailSig(), lookup.id()))
                  .orElse(noMailKey(lookup.to(), lookup.id())));
    } else if (frame instanceof MailClientFrame.Deposit deposit) {
      deposit(loop, id, deposit, replies);
    } else if (frame instanceof MailClientFrame.Fetch fetch) {
      long after = fetch.after() == null ? 0 : fetch.after();
      int limit = fetch.limit() == null ? 100 : Math.min(fetch.limit(), MAX_FETCH);
      submit(
          loop,
          replies,
          fetch.id(),
          () -> {
            Mailbox.Page page =
                mailbox.fetch(
                    id, after, limit, MAX_FETCH_BYTES, MailFields.MAX_ITEMS, clock.getAsLong());
            fetched.increment(page.items().size());
            return toFrame(page, fetch.id());
          });
    } else if (frame instanceof MailClientFrame.Ack ack) {
      ack(loop, id, key, ack, replies);
    }
  }

  private void deposit(Executor loop, String id, MailClientFrame.Deposit deposit, Replies replies) {
    if (!id.equals(deposit.from())) {
      refused.increment();
      replies.error(
          ErrorCode.MAIL_REFUSED,
          "'from' is not the id this connection registered with; a deposit is made only under"
              + " your own id",
          deposit.id());
      return;
    }
    if (deposit.sealedBytes() > config.maxMessageBytes()) {
      refused.increment();
      replies.error(
          ErrorCode.MAIL_TOO_LARGE,
          "a sealed message of "
              + deposit.sealedBytes()
              + " bytes is over this mailbox's limit of "
              + config.maxMessageBytes()
              + "; deliver it directly when the peer is online",
          deposit.id());
      return;
    }
    boolean allowed;
    synchronized (senders) {
      allowed =
          senders
              .computeIfAbsent(
                  id, k -> new TokenBucket(config.depositsPerSecond(), config.depositBurst()))
              .tryTake();
    }
    if (!allowed) {
      refused.increment();
      replies.error(
          ErrorCode.RATE_LIMITED, "too many deposits from your id; slow down", deposit.id());
      return;
    }
    byte[] sealed = Base64.getDecoder().decode(deposit.sealed());
    submit(
        loop,
        replies,
        deposit.id(),
        () -> {
          Optional<Mailbox.MailKeyRecord> to = mailbox.mailKey(deposit.to());
          if (to.isEmpty()) {
            refused.increment();
            return noMailKey(deposit.to(), deposit.id());
          }
          if (!to.get().mailKey().equals(deposit.mailKey())) {
            refused.increment();
            return new ServerFrame.Error(
                ErrorCode.MAIL_KEY_MISMATCH,
                "the message is sealed to another key than the one "
                    + deposit.to()
                    + " published; look its mail key up again",
                deposit.id());
          }
          long now = clock.getAsLong();
          long expires = now + config.expiry().toMillis();
          Mailbox.Outcome outcome =
              mailbox.deposit(
                  id,
                  deposit.to(),
                  deposit.msg(),
                  sealed,
                  now,
                  expires,
                  config.maxMessages(),
                  config.maxBytes());
          switch (outcome) {
            case FULL_COUNT, FULL_BYTES -> {
              refused.increment();
              return new ServerFrame.Error(
                  ErrorCode.MAILBOX_FULL,
                  "the mailbox of "
                      + deposit.to()
                      + " is full ("
                      + (outcome == Mailbox.Outcome.FULL_COUNT
                          ? config.maxMessages() + " messages"
                          : config.maxBytes() + " bytes")
                      + "); it is kept for direct delivery",
                  deposit.id());
            }
            default -> {
              if (outcome == Mailbox.Outcome.STORED) {
                deposited.increment();
              }
              return new MailServerFrame.Deposited(deposit.msg(), expires / 1000, deposit.id());
            }
          }
        });
  }

  private void ack(Executor loop, String id, String key, MailClientFrame.Ack ack, Replies replies) {
    List<Mailbox.Receipt> receipts = new ArrayList<>(ack.receipts().size());
    for (MailClientFrame.Receipt r : ack.receipts()) {
      Optional<String> problem =
          Signatures.problem(id, key, r.sig(), MailFields.receiptPayload(r.from(), id, r.msg()));
      if (problem.isPresent()) {
        replies.error(
            ErrorCode.MAIL_REFUSED,
            "the receipt for " + r.msg() + " is not signed by your key: " + problem.get(),
            ack.id());
        return;
      }
      receipts.add(new Mailbox.Receipt(r.from(), r.msg(), r.sig()));
    }
    List<Mailbox.Done> done = new ArrayList<>(ack.done().size());
    for (MailClientFrame.Done d : ack.done()) {
      done.add(new Mailbox.Done(d.to(), d.msg()));
    }
    submit(
        loop,
        replies,
        ack.id(),
        () -> {
          long noticeExpires = clock.getAsLong() + MailboxConfig.NOTICE_EXPIRY.toMillis();
          return new MailServerFrame.Acked(
              mailbox.ack(id, receipts, done, noticeExpires), ack.id());
        });
  }

  private static ServerFrame.Error noMailKey(String to, String requestId) {
    return new ServerFrame.Error(
        ErrorCode.NO_MAIL_KEY,
        to + " has published no mail key here: it does not take mail on this server",
        requestId);
  }

  private static MailServerFrame.Mail toFrame(Mailbox.Page page, String requestId) {
    List<MailServerFrame.Item> items = new ArrayList<>(page.items().size());
    for (Mailbox.Item i : page.items()) {
      items.add(
          new MailServerFrame.Item(
              i.seq(),
              i.from(),
              i.msg(),
              Base64.getEncoder().encodeToString(i.sealed()),
              i.depositedMs() / 1000));
    }
    List<MailServerFrame.Notice> notices = new ArrayList<>(page.notices().size());
    for (Mailbox.Notice n : page.notices()) {
      notices.add(new MailServerFrame.Notice(n.kind(), n.to(), n.msg(), n.sig()));
    }
    return new MailServerFrame.Mail(items, notices, page.next(), page.more(), requestId);
  }

  private interface StoreCall {
    Object run();
  }

  private void submit(Executor loop, Replies replies, String requestId, StoreCall call) {
    if (pending.incrementAndGet() > MAX_PENDING) {
      pending.decrementAndGet();
      replies.error(ErrorCode.RATE_LIMITED, "the mailbox is busy; try again shortly", requestId);
      return;
    }
    try {
      thread.execute(
          () -> {
            Object answer;
            try {
              answer = call.run();
            } catch (RuntimeException e) {
              LOG.warn("Mailbox store call failed: {}", e.getMessage());
              answer =
                  new ServerFrame.Error(
                      ErrorCode.INTERNAL_ERROR,
                      "the mailbox could not do that; try again",
                      requestId);
            } finally {
              pending.decrementAndGet();
            }
            stats = mailbox.stats();
            Object result = answer;
            loop.execute(
                () -> {
                  if (result instanceof ServerFrame.Error e) {
                    replies.error(e.code(), e.message(), e.id());
                  } else {
                    replies.reply((ServerFrame) result);
                  }
                });
          });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      pending.decrementAndGet();
      replies.error(ErrorCode.INTERNAL_ERROR, "the mailbox is shutting down", requestId);
    }
  }

  /** Deletes expired mail now, on the store thread; for tests and the scheduled sweep. */
  void sweep() {
    try {
      long now = clock.getAsLong();
      int n = mailbox.sweep(now, now + MailboxConfig.NOTICE_EXPIRY.toMillis());
      if (n > 0) {
        expired.increment(n);
        LOG.info("Mailbox: {} messages expired unfetched; their senders are told", n);
      }
      stats = mailbox.stats();
    } catch (RuntimeException e) {
      LOG.warn("Mailbox sweep failed: {}", e.getMessage());
    }
  }

  /**
   * Sweeps now and waits for it, for tests and operators.
   *
   * @throws InterruptedException if interrupted while waiting
   */
  public void sweepNow() throws InterruptedException {
    java.util.concurrent.CompletableFuture<Void> done =
        java.util.concurrent.CompletableFuture.runAsync(this::sweep, thread);
    try {
      done.get();
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }

  /** Stops the store thread after the calls queued, then closes the store. */
  @Override
  public void close() {
    try {
      if (!thread.stop(true, java.time.Duration.ofSeconds(5))) {
        LOG.warn("Mailbox store calls still running at shutdown");
      }
    } finally {
      mailbox.close();
    }
  }
}
