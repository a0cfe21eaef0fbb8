package io.parlance.bootstrap.cluster;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.parlance.bootstrap.registry.NicknameClaims;
import io.parlance.bootstrap.registry.PeerEntry;
import io.parlance.bootstrap.registry.Registry;
import io.parlance.protocol.ProtocolException;
import io.parlance.protocol.bootstrap.RelayFrames;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One bootstrap server's membership in a cluster on Redis: the nickname claims (atomic Lua scripts,
 * one claim per nickname cluster-wide), the server's copy of the shared registry (kept by one
 * pub/sub channel of events), and the heartbeat that keeps this server's entries alive and ends
 * those of servers that stopped beating, without keyspace notifications.
 *
 * <p>While Redis is unreachable the server keeps serving its own peers from its copy; claims wait
 * (Lettuce queues them) up to the command timeout. When Redis comes back empty (a restart without
 * persistence, a failover to an empty replica) the heartbeat notices that this server's liveness
 * key is gone and puts the server's live registrations back; the copy is rebuilt from Redis, and an
 * entry missing from Redis is dropped only if it is still missing a few heartbeats later, once
 * every live server had its turn to put its own back.
 *
 * <p>Relay offers go to the one server that holds the target ({@link #routeOffer}): each server
 * listens on its own channel {@code P relay:ID}, and a script publishes there only if the target's
 * registration is still the one asked for and its server alive.
 *
 * <p>The Redis connections run on the server's own event loops ({@link SharedEventLoops}).
 */
public final class RedisCluster implements NicknameClaims, AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(RedisCluster.class);
  private static final String[] NO_KEYS = new String[0];

  static {
    // The Redis connections run on the server's NIO loops (SharedEventLoops): Lettuce must not
    // choose a native transport of its own, as it would when Netty's epoll, kqueue or io_uring is
    // on the class path (a server embedded in a client's JVM, as the client's tests do).
    for (String transport : List.of("epoll", "kqueue", "iouring")) {
      String property = "io.lettuce.core." + transport;
      if (System.getProperty(property) == null) {
        System.setProperty(property, "false");
      }
    }
  }

  /**
   * Every how many heartbeats the copy's size is compared with Redis's; a difference seen on two
   * checks in a row rebuilds the copy (a burst of joins in flight differs once, not twice alike).
   */
  static final int CHECK_EVERY_BEATS = 5;

  /** Entries per refresh or read script, so one script never holds Redis long. */
  static final int CHUNK = 500;

  /** Longest event accepted from the channel. */
  private static final int MAX_EVENT_CHARS = 2 * EntryJson.MAX_CHARS + 32;

  /** Longest routed relay offer accepted from this server's channel. */
  static final int MAX_OFFER_CHARS = 2048;

  private final ClusterOptions options;
  private final String prefix;
  private final ClientResources resources;
  private final RedisClient client;
  private final StatefulRedisConnection<String, String> connection;
  private final RedisAsyncCommands<String, String> redis;
  private final StatefulRedisPubSubConnection<String, String> pubsub;
  private final ReplicaRegistry replica = new ReplicaRegistry();
  private final EventExecutor timer;
  private final Map<String, String> shas = new ConcurrentHashMap<>();

  /** The registrations this server holds, by nickname. */
  private final Map<String, PeerEntry> own = new ConcurrentHashMap<>();

  /** Releases that failed (Redis away): tried again at each heartbeat. */
  private final Set<PeerEntry> unreleased = ConcurrentHashMap.newKeySet();

  private final AtomicLong malformedEvents = new AtomicLong();
  private final AtomicLong malformedOffers = new AtomicLong();
  private volatile BiConsumer<String, RelayFrames.Offer> offers = (owner, offer) -> {};

  /** Whether this server follows the events channel; changed on {@link #timer} only. */
  private volatile boolean followingEvents;

  /** Heartbeats since the copy was last compared with Redis. */
  private final java.util.concurrent.atomic.AtomicInteger beatsSinceCheck =
      new java.util.concurrent.atomic.AtomicInteger();

  /** Whether the last comparison found the copy and Redis different. */
  private volatile boolean copyDiffered;

  /** Whether events from the channel are applied (from the moment a subscription is asked). */
  private volatile boolean acceptingEvents;

  /** Completes once the events channel is followed again and the copy rebuilt; on the timer. */
  private CompletableFuture<Void> following;

  /** Claims under way: while there are any, the server keeps following the events. */
  private final java.util.concurrent.atomic.AtomicInteger claiming =
      new java.util.concurrent.atomic.AtomicInteger();

  /** Heartbeats in a row this server held no registration (it stops following the events). */
  private int idleBeats;

  private ScheduledFuture<?> beating;
  private ScheduledFuture<?> refreshing;
  private volatile boolean beaten;
  private volatile boolean redisAway;
  private volatile boolean halted;
  private volatile boolean closed;

  private RedisCluster(
      ClusterOptions options,
      ClientResources resources,
      RedisClient client,
      StatefulRedisConnection<String, String> connection,
      StatefulRedisPubSubConnection<String, String> pubsub,
      EventExecutor timer) {
    this.options = options;
    this.prefix = options.keyPrefix();
    this.resources = resources;
    this.client = client;
    this.connection = connection;
    this.redis = connection.async();
    this.pubsub = pubsub;
    this.timer = timer;
  }

  /**
   * Connects to Redis, joins the cluster and starts the heartbeat. Blocks the calling thread (not
   * an event loop) until Redis answers or the command timeout passes.
   *
   * @param options the settings
   * @param workers the server's worker loops, lent to Lettuce
   * @param workerThreads how many loops {@code workers} has
   * @return the running membership
   * @throws IllegalArgumentException if the URL is not a Redis URL
   * @throws IllegalStateException if Redis cannot be reached, saying what to check
   */
  public static RedisCluster start(
      ClusterOptions options, EventLoopGroup workers, int workerThreads) {
    Objects.requireNonNull(options, "options");
    RedisURI uri = parseUri(options.redisUri());
    uri.setTimeout(options.commandTimeout());
    ClientResources resources =
        ClientResources.builder()
            .eventLoopGroupProvider(new SharedEventLoops(workers, workerThreads))
            .eventExecutorGroup(workers)
            .reconnectDelay(Delay.constant(Duration.ofMillis(500)))
            .build();
    RedisClient client = RedisClient.create(resources, uri);
    client.setOptions(
        ClientOptions.builder()
            .autoReconnect(true)
            .requestQueueSize(10_000)
            .timeoutOptions(TimeoutOptions.enabled(options.commandTimeout()))
            .build());
    StatefulRedisConnection<String, String> connection = null;
    StatefulRedisPubSubConnection<String, String> pubsub = null;
    try {
      connection = client.connect(StringCodec.UTF8);
      pubsub = client.connectPubSub(StringCodec.UTF8);
      RedisCluster cluster =
          new RedisCluster(options, resources, client, connection, pubsub, workers.next());
      cluster.join();
      return cluster;
    } catch (RedisException e) {
      if (pubsub != null) {
        pubsub.close();
      }
      if (connection != null) {
        connection.close();
      }
      client.shutdown(0, 1, TimeUnit.SECONDS);
      resources.shutdown(0, 1, TimeUnit.SECONDS);
      throw new IllegalStateException(
          "cannot use Redis at "
              + safe(uri)
              + ": "
              + rootMessage(e)
              + "; start Redis there, or check --redis (redis://[:PASSWORD@]HOST[:PORT][/DB],"
              + " rediss:// for TLS)",
          e);
    }
  }

  /** Parses the URL, with a message that says what a Redis URL looks like. */
  static RedisURI parseUri(String text) {
    if (text == null || !(text.startsWith("redis://") || text.startsWith("rediss://"))) {
      throw new IllegalArgumentException(
          "--redis must be a redis:// or rediss:// URL, e.g. redis://localhost:6379 or"
              + " redis://:PASSWORD@HOST:6379/0");
    }
    try {
      return RedisURI.create(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "--redis: cannot read '" + safeText(text) + "' as a Redis URL: " + e.getMessage(), e);
    }
  }

  private void join() {
    pubsub.addListener(
        new RedisPubSubAdapter<>() {
          @Override
          public void message(String channel, String message) {
            if (channel.equals(relayChannel())) {
              onOffer(message);
            } else {
              onEvent(message);
            }
          }

          @Override
          public void subscribed(String channel, long count) {
            // At the start and again after every reconnect: what was missed meanwhile is read.
            if (!channel.equals(relayChannel())) {
              rebuild(false);
            }
          }
        });
    followingEvents = true;
    acceptingEvents = true;
    pubsub.sync().subscribe(prefix + "events", relayChannel());
    beatNow().toCompletableFuture().join();
    long beat = options.heartbeat().toMillis();
    beating = timer.scheduleAtFixedRate(this::beat, beat, beat, TimeUnit.MILLISECONDS);
    long refresh = Math.max(beat, options.entryTtl().toMillis() / 3);
    refreshing = timer.scheduleAtFixedRate(this::refresh, refresh, refresh, TimeUnit.MILLISECONDS);
    LOG.info(
        "Joined the cluster on {} as server '{}' (a dead server's peers are dropped within {} ms)",
        safe(parseUri(options.redisUri())),
        options.serverId(),
        options.liveness().toMillis() + beat);
  }

  /**
   * Returns this server's copy of the shared registry.
   *
   * @return the registry
   */
  public Registry registry() {
    return replica;
  }

  /**
   * Opens the mailbox shared by the cluster, on a connection of its own (binary, so sealed bytes
   * are stored as they are). Blocks until Redis answers; call from the thread that starts the
   * server, not an event loop.
   *
   * @return the mailbox; closing it closes its connection
   * @throws IllegalStateException if Redis cannot be reached
   */
  public RedisMailbox openMailbox() {
    try {
      return new RedisMailbox(client.connect(ByteArrayCodec.INSTANCE), prefix + "mail:");
    } catch (RedisException e) {
      throw new IllegalStateException(
          "cannot open the mailbox on Redis: " + rootMessage(e) + "; check that Redis is up", e);
    }
  }

  /**
   * Returns this server's id in the cluster.
   *
   * @return the id
   */
  public String serverId() {
    return options.serverId();
  }

  /**
   * Counts the registrations this server holds.
   *
   * @return how many
   */
  public int ownCount() {
    return own.size();
  }

  private String relayChannel() {
    return prefix + "relay:" + options.serverId();
  }

  /**
   * Sets what to do with a relay offer routed to this server: it names the registration (by its
   * owner) the offer is for. Runs on a Redis connection's event loop; must not block.
   *
   * @param handler takes the owner and the offer
   */
  public void onRelayOffer(BiConsumer<String, RelayFrames.Offer> handler) {
    this.offers = Objects.requireNonNull(handler, "handler");
  }

  /**
   * Sends a relay offer to the server that holds the target's registration, and to no other.
   *
   * @param target the registration the offer is for, as this server's copy has it
   * @param offer the offer, naming the relay to join
   * @return completes with true once the target's server got it; false if the target is not
   *     registered as {@code target} any more or its server is not alive
   */
  public CompletionStage<Boolean> routeOffer(PeerEntry target, RelayFrames.Offer offer) {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(offer, "offer");
    if (closed || halted) {
      return CompletableFuture.failedFuture(new IllegalStateException("cluster closed"));
    }
    String message =
        String.join(
            "\n",
            "offer",
            target.owner(),
            offer.nickname(),
            offer.peer(),
            offer.token(),
            offer.relay() == null ? "" : offer.relay());
    return this.<Long>run(
            Scripts.ROUTE,
            ScriptOutputType.INTEGER,
            prefix,
            target.nickname(),
            target.owner(),
            message)
        .thenApply(receivers -> receivers != null && receivers > 0);
  }

  /** One offer routed to this server: {@code offer \n owner \n nick \n id \n token \n relay}. */
  void onOffer(String message) {
    if (message == null || message.length() > MAX_OFFER_CHARS) {
      malformedOffer("an offer over " + MAX_OFFER_CHARS + " chars");
      return;
    }
    String[] parts = message.split("\n", -1);
    if (parts.length != 6 || !parts[0].equals("offer") || parts[1].isEmpty()) {
      malformedOffer("an offer without its six parts");
      return;
    }
    RelayFrames.Offer offer;
    try {
      offer =
          new RelayFrames.Offer(parts[2], parts[3], parts[4], parts[5].isEmpty() ? null : parts[5]);
    } catch (ProtocolException | IllegalArgumentException e) {
      malformedOffer(e.getMessage());
      return;
    }
    offers.accept(parts[1], offer);
  }

  private void malformedOffer(String what) {
    if (malformedOffers.incrementAndGet() % 1000 == 1) {
      LOG.warn(
          "Dropped a malformed relay offer from the cluster ({}); {} so far",
          safeText(String.valueOf(what)),
          malformedOffers.get());
    }
  }

  /**
   * Counts the relay offers routed to this server that were dropped as malformed.
   *
   * @return how many
   */
  public long malformedOffers() {
    return malformedOffers.get();
  }

  /**
   * Counts the events from the channel that were dropped as malformed.
   *
   * @return how many
   */
  public long malformedEvents() {
    return malformedEvents.get();
  }

  @Override
  public CompletionStage<Claim> claim(PeerEntry entry) {
    Objects.requireNonNull(entry, "entry");
    if (closed) {
      return CompletableFuture.failedFuture(new IllegalStateException("cluster closed"));
    }
    claiming.incrementAndGet();
    CompletableFuture<Claim> out =
        followEvents().thenCompose(v -> claimInRedis(entry)).toCompletableFuture();
    out.whenComplete((c, e) -> claiming.decrementAndGet());
    return out;
  }

  private CompletionStage<Claim> claimInRedis(PeerEntry entry) {
    String json = EntryJson.write(entry);
    return this.<List<Object>>run(
            Scripts.CLAIM,
            ScriptOutputType.MULTI,
            prefix,
            entry.nickname(),
            entry.owner(),
            options.serverId(),
            entry.id() == null ? "" : entry.id(),
            json,
            Long.toString(options.entryTtl().toMillis()),
            Long.toString(options.nicknameHold().toMillis()))
        .thenApply(r -> claimed(entry, r));
  }

  private Claim claimed(PeerEntry entry, List<Object> result) {
    String kind = String.valueOf(result.get(0));
    switch (kind) {
      case "reserved":
        return new Claim(
            Kind.RESERVED, null, Duration.ofMillis(Math.max(1, parseLong(result.get(1)))));
      case "taken":
        return new Claim(Kind.TAKEN, null, null);
      case "registered":
      case "replaced":
      case "displaced":
        own.put(entry.nickname(), entry);
        PeerEntry previous = entryOrNull(String.valueOf(result.get(2)));
        Kind k =
            "registered".equals(kind)
                ? Kind.REGISTERED
                : "replaced".equals(kind) ? Kind.REPLACED : Kind.DISPLACED;
        return new Claim(k, k == Kind.REGISTERED ? null : previous, null);
      default:
        throw new IllegalStateException("unexpected claim result from Redis: " + kind);
    }
  }

  @Override
  public void release(PeerEntry entry) {
    Objects.requireNonNull(entry, "entry");
    own.remove(entry.nickname(), entry);
    if (halted) {
      return;
    }
    releaseInRedis(entry);
  }

  private CompletionStage<?> releaseInRedis(PeerEntry entry) {
    return this.<Long>run(
            Scripts.RELEASE,
            ScriptOutputType.INTEGER,
            prefix,
            entry.nickname(),
            entry.owner(),
            Long.toString(options.nicknameHold().toMillis()))
        .whenComplete(
            (r, e) -> {
              if (e == null) {
                unreleased.remove(entry);
              } else if (!closed) {
                // Redis is away: tried again at each heartbeat, so no ghost stays for the TTL.
                unreleased.add(entry);
              }
            });
  }

  /**
   * Returns whether this server follows the cluster's join and leave events now. A server with no
   * registration of its own for two heartbeats stops (it has no one to tell, and Redis then sends
   * it nothing); its next registration follows them again, once its copy is rebuilt.
   *
   * @return true while subscribed to the events channel
   */
  public boolean followsEvents() {
    return followingEvents;
  }

  /** Completes once the events are followed and the copy is current; resubscribes if needed. */
  private CompletionStage<Void> followEvents() {
    if (followingEvents) {
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    timer.execute(
        () -> {
          if (followingEvents) {
            done.complete(null);
            return;
          }
          if (following == null) {
            CompletableFuture<Void> f = new CompletableFuture<>();
            following = f;
            acceptingEvents = true;
            pubsub
                .async()
                .subscribe(prefix + "events")
                .thenCompose(v -> redis.smembers(prefix + "peers"))
                .thenCompose(this::readEntries)
                .whenComplete(
                    (found, e) ->
                        timer.execute(
                            () -> {
                              following = null;
                              if (e != null) {
                                acceptingEvents = false;
                                f.completeExceptionally(e);
                                return;
                              }
                              // Events that came meanwhile are in the copy already.
                              found.values().forEach(entry -> replica.joined("registered", entry));
                              followingEvents = true;
                              idleBeats = 0;
                              LOG.debug("Following the cluster's events again");
                              f.complete(null);
                            }));
          }
          following.whenComplete(
              (v, e) -> {
                if (e == null) {
                  done.complete(null);
                } else {
                  done.completeExceptionally(e);
                }
              });
        });
    return done;
  }

  /** At each heartbeat: stops following the events after two beats with no registration. */
  private void unfollowIfIdle() {
    if (!followingEvents && following == null && (!own.isEmpty() || claiming.get() > 0)) {
      // A claim that began just as this server stopped following: follow again.
      followEvents();
      return;
    }
    if (!followingEvents || following != null || !own.isEmpty() || claiming.get() > 0) {
      idleBeats = 0;
      return;
    }
    if (++idleBeats < 2) {
      return;
    }
    followingEvents = false;
    acceptingEvents = false;
    pubsub.async().unsubscribe(prefix + "events");
    replica.clear();
    LOG.debug("No registration here: not following the cluster's events");
  }

  /** The heartbeat, on the timer. */
  private void beat() {
    if (halted) {
      return;
    }
    unfollowIfIdle();
    beatNow();
    for (PeerEntry e : unreleased) {
      if (!own.containsKey(e.nickname())) {
        releaseInRedis(e);
      } else {
        unreleased.remove(e);
      }
    }
  }

  private CompletionStage<List<Object>> beatNow() {
    return this.<List<Object>>run(
            Scripts.BEAT,
            ScriptOutputType.MULTI,
            prefix,
            options.serverId(),
            Long.toString(options.liveness().toMillis()),
            Long.toString(options.nicknameHold().toMillis()))
        .whenComplete(
            (r, e) -> {
              if (e != null) {
                if (!redisAway && !closed) {
                  redisAway = true;
                  LOG.warn(
                      "Redis does not answer ({}): serving this server's {} peers from its copy;"
                          + " registrations wait for Redis",
                      rootMessage(e),
                      own.size());
                }
                return;
              }
              if (redisAway) {
                redisAway = false;
                LOG.info("Redis answers again");
              }
              long existed = parseLong(r.get(0));
              long swept = parseLong(r.get(1));
              if (swept > 0) {
                LOG.info("Dropped {} registrations of servers that stopped beating", swept);
              }
              if (existed == 0 && beaten) {
                LOG.warn(
                    "Redis lost this server's registrations (restarted or failed over):"
                        + " putting its {} peers back",
                    own.size());
                refresh();
                rebuild(false);
              }
              beaten = true;
              checkCopy();
            });
  }

  /**
   * Compares this server's copy of the registry with Redis every few heartbeats, and rebuilds it
   * when the two differ twice in a row. Events are fire-and-forget: an event that comes late (a
   * "left" for a peer put back since, while this server was counted dead under load) or not at all
   * would otherwise leave the copy wrong for good.
   */
  private void checkCopy() {
    if (halted || !followingEvents || beatsSinceCheck.incrementAndGet() < CHECK_EVERY_BEATS) {
      return;
    }
    beatsSinceCheck.set(0);
    redis
        .scard(prefix + "peers")
        .whenComplete(
            (inRedis, e) -> {
              if (e != null || inRedis == null) {
                return;
              }
              long inCopy = replica.size();
              if (inRedis == inCopy) {
                copyDiffered = false;
                return;
              }
              if (!copyDiffered) {
                copyDiffered = true;
                return;
              }
              copyDiffered = false;
              LOG.info(
                  "This server's copy of the registry holds {} peers and Redis {}: rebuilding it",
                  inCopy,
                  inRedis);
              rebuild(false);
            });
  }

  /** Refreshes this server's entries in Redis, putting back any it lost; on the timer. */
  private void refresh() {
    if (halted || own.isEmpty()) {
      return;
    }
    List<PeerEntry> entries = new ArrayList<>(own.values());
    for (int from = 0; from < entries.size(); from += CHUNK) {
      List<PeerEntry> chunk = entries.subList(from, Math.min(entries.size(), from + CHUNK));
      String[] args = new String[3 + 4 * chunk.size()];
      args[0] = prefix;
      args[1] = options.serverId();
      args[2] = Long.toString(options.entryTtl().toMillis());
      int i = 3;
      for (PeerEntry e : chunk) {
        args[i++] = e.nickname();
        args[i++] = e.owner();
        args[i++] = e.id() == null ? "" : e.id();
        args[i++] = EntryJson.write(e);
      }
      this.<List<Object>>run(Scripts.REFRESH, ScriptOutputType.MULTI, args)
          .whenComplete(
              (r, e) -> {
                if (e != null) {
                  LOG.debug("Refresh failed: {}", rootMessage(e));
                  return;
                }
                long back = parseLong(r.get(0));
                if (back > 0) {
                  LOG.info("Put {} of this server's registrations back into Redis", back);
                }
                for (Object lostNick : r.subList(1, r.size())) {
                  PeerEntry mine = own.remove(String.valueOf(lostNick));
                  if (mine != null) {
                    LOG.info(
                        "'{}' is held by another registration since Redis lost ours", lostNick);
                    replica.lost(mine);
                  }
                }
              });
    }
  }

  /**
   * Rebuilds this server's copy from Redis. An entry the copy has and Redis does not is dropped
   * only on a confirming rebuild a few heartbeats later (servers put their own back meanwhile).
   */
  private void rebuild(boolean confirm) {
    if (halted || !followingEvents) {
      return;
    }
    redis
        .smembers(prefix + "peers")
        .thenCompose(this::readEntries)
        .whenComplete(
            (found, e) -> {
              if (e != null) {
                LOG.debug("Rebuilding the registry copy failed: {}", rootMessage(e));
                return;
              }
              for (PeerEntry entry : found.values()) {
                replica.joined("registered", entry);
              }
              List<PeerEntry> missing = new ArrayList<>();
              for (PeerEntry entry : replica.snapshot().values()) {
                if (!found.containsKey(entry.nickname())) {
                  missing.add(entry);
                }
              }
              if (missing.isEmpty()) {
                return;
              }
              if (confirm) {
                missing.forEach(replica::left);
              } else {
                timer.schedule(
                    () -> rebuild(true),
                    options.heartbeat().toMillis() * 3 + options.liveness().toMillis(),
                    TimeUnit.MILLISECONDS);
              }
            });
  }

  private CompletionStage<Map<String, PeerEntry>> readEntries(Set<String> nicknames) {
    List<String> all = new ArrayList<>(nicknames);
    List<CompletableFuture<List<Object>>> parts = new ArrayList<>();
    for (int from = 0; from < all.size(); from += CHUNK) {
      List<String> chunk = all.subList(from, Math.min(all.size(), from + CHUNK));
      String[] args = new String[1 + chunk.size()];
      args[0] = prefix;
      for (int i = 0; i < chunk.size(); i++) {
        args[i + 1] = chunk.get(i);
      }
      parts.add(this.<List<Object>>run(Scripts.READ, ScriptOutputType.MULTI, args));
    }
    return CompletableFuture.allOf(parts.toArray(new CompletableFuture<?>[0]))
        .thenApply(
            v -> {
              Map<String, PeerEntry> found = new HashMap<>();
              for (CompletableFuture<List<Object>> part : parts) {
                for (Object json : part.join()) {
                  PeerEntry entry = entryOrNull(String.valueOf(json));
                  if (entry != null) {
                    found.put(entry.nickname(), entry);
                  }
                }
              }
              return found;
            });
  }

  /** One event from the channel: {@code kind \n previous \n entry}. */
  void onEvent(String message) {
    if (!acceptingEvents) {
      return; // one still on its way after this server stopped following them
    }
    if (message == null || message.length() > MAX_EVENT_CHARS) {
      malformed("an event over " + MAX_EVENT_CHARS + " chars");
      return;
    }
    int a = message.indexOf('\n');
    int b = a < 0 ? -1 : message.indexOf('\n', a + 1);
    if (b < 0) {
      malformed("an event without its three parts");
      return;
    }
    String kind = message.substring(0, a);
    try {
      switch (kind) {
        case "left" -> replica.left(EntryJson.read(message.substring(a + 1, b)));
        case "registered", "replaced", "displaced" -> {
          PeerEntry entry = EntryJson.read(message.substring(b + 1));
          PeerEntry mine = own.get(entry.nickname());
          if (mine != null && !mine.owner().equals(entry.owner())) {
            own.remove(entry.nickname(), mine);
          }
          replica.joined(kind, entry);
        }
        default -> malformed("an event of unknown kind '" + safeText(kind) + "'");
      }
    } catch (IllegalArgumentException e) {
      malformed(e.getMessage());
    }
  }

  private void malformed(String what) {
    if (malformedEvents.incrementAndGet() % 1000 == 1) {
      LOG.warn("Dropped a malformed cluster event ({}); {} so far", what, malformedEvents.get());
    }
  }

  private static PeerEntry entryOrNull(String json) {
    if (json == null || json.isEmpty()) {
      return null;
    }
    try {
      return EntryJson.read(json);
    } catch (IllegalArgumentException e) {
      LOG.warn("Ignored a malformed entry in Redis: {}", e.getMessage());
      return null;
    }
  }

  /** Runs a script by its digest, sending its text only when Redis does not have it (yet). */
  private <T> CompletableFuture<T> run(String script, ScriptOutputType type, String... args) {
    String sha = shas.computeIfAbsent(script, RedisCluster::sha1);
    CompletableFuture<T> out = new CompletableFuture<>();
    CompletionStage<T> first;
    try {
      first = redis.<T>evalsha(sha, type, NO_KEYS, args);
    } catch (RedisException e) {
      return CompletableFuture.failedFuture(e);
    }
    first.whenComplete(
        (r, e) -> {
          if (e == null) {
            out.complete(r);
          } else if (noScript(e)) {
            redis
                .<T>eval(script, type, NO_KEYS, args)
                .whenComplete(
                    (r2, e2) -> {
                      if (e2 == null) {
                        out.complete(r2);
                      } else {
                        out.completeExceptionally(e2);
                      }
                    });
          } else {
            out.completeExceptionally(e);
          }
        });
    return out;
  }

  private static boolean noScript(Throwable e) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof RedisNoScriptException
          || c.getMessage() != null && c.getMessage().startsWith("NOSCRIPT")) {
        return true;
      }
    }
    return false;
  }

  private static String sha1(String script) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-1").digest(script.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("no SHA-1 in this JVM", e);
    }
  }

  private static long parseLong(Object o) {
    if (o instanceof Number n) {
      return n.longValue();
    }
    try {
      return Long.parseLong(String.valueOf(o));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String m = root.getMessage();
    return m == null ? root.getClass().getSimpleName() : m;
  }

  /** The URL without its password, for messages and logs. */
  private static String safe(RedisURI uri) {
    return (uri.isSsl() ? "rediss://" : "redis://")
        + uri.getHost()
        + ":"
        + uri.getPort()
        + (uri.getDatabase() != 0 ? "/" + uri.getDatabase() : "");
  }

  private static String safeText(String text) {
    String t = text.replaceAll("//[^@/]*@", "//***@");
    StringBuilder b = new StringBuilder();
    t.codePoints()
        .limit(200)
        .forEach(cp -> b.appendCodePoint(Character.isISOControl(cp) ? '?' : cp));
    return b.toString();
  }

  /**
   * Stops as if the process had died: no more heartbeats, nothing released, the Redis connections
   * dropped. For tests of a dead server; {@link #close()} afterwards frees the rest.
   */
  public void halt() {
    halted = true;
    cancelTimers();
    pubsub.close();
    connection.close();
  }

  /**
   * Stops for a planned shutdown by handing this server's peers over to the others: like a server
   * that died, it releases nothing and lets its liveness key expire. A peer that moves to another
   * server within the liveness period (its client fails over at once on the 1001 "going away") is
   * seen there as the same peer registered again, with no leave anywhere; the other servers' next
   * sweep ends the entries of those that did not come back. Call before closing the clients.
   */
  public void handOver() {
    if (!halted) {
      LOG.info("Handing {} registrations over to the other servers", own.size());
      halt();
    }
  }

  private void cancelTimers() {
    if (beating != null) {
      beating.cancel(false);
    }
    if (refreshing != null) {
      refreshing.cancel(false);
    }
  }

  /**
   * Leaves the cluster: releases what this server still holds (its connections were closed before),
   * removes its liveness key, and closes the Redis client. Call before the event loops shut down.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    cancelTimers();
    try {
      if (!halted) {
        List<CompletableFuture<?>> pending = new ArrayList<>();
        for (PeerEntry e : List.copyOf(own.values())) {
          own.remove(e.nickname(), e);
          pending.add(releaseInRedis(e).toCompletableFuture());
        }
        pending.add(redis.del(prefix + "server:" + options.serverId()).toCompletableFuture());
        pending.add(redis.srem(prefix + "servers", options.serverId()).toCompletableFuture());
        CompletableFuture.allOf(pending.toArray(new CompletableFuture<?>[0]))
            .orTimeout(2, TimeUnit.SECONDS)
            .exceptionally(e -> null)
            .join();
      }
    } finally {
      closed = true;
      if (!halted) {
        pubsub.close();
        connection.close();
      }
      client.shutdown(0, 2, TimeUnit.SECONDS);
      resources.shutdown(0, 2, TimeUnit.SECONDS);
    }
  }
}
