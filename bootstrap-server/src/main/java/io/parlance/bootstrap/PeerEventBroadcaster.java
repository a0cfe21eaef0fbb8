package io.parlance.bootstrap;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.parlance.bootstrap.registry.PeerEntry;
import io.parlance.bootstrap.registry.RegistryListener;
import io.parlance.protocol.bootstrap.BootstrapCodec;
import io.parlance.protocol.bootstrap.BootstrapProtocol;
import io.parlance.protocol.bootstrap.PeerInfo;
import io.parlance.protocol.bootstrap.ServerFrame;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells every subscribed connection who joined and left, cheaply at any registry size.
 *
 * <ul>
 *   <li>Changes are collected for one batch interval and coalesced per nickname to its latest
 *       state, so a flapping peer costs one entry.
 *   <li>Each {@code peers_changed} frame (at most {@link BootstrapProtocol#MAX_CHANGES_PER_FRAME}
 *       entries) is encoded once; every recipient gets a retained duplicate of the same bytes.
 *   <li>Subscribers are grouped by event loop and each loop gets one task per batch, so a batch
 *       costs one task per loop plus one write per subscriber, never one task per subscriber.
 *   <li>A subscriber whose outbound buffer is over its high-water mark is closed rather than
 *       buffered for, so a client that stops reading cannot grow the server's memory or delay
 *       anyone else.
 * </ul>
 */
final class PeerEventBroadcaster implements RegistryListener {

  private static final Logger LOG = LoggerFactory.getLogger(PeerEventBroadcaster.class);

  /** Subscribers per event loop; each set is touched only on its own loop. */
  private final Map<EventLoop, Set<Channel>> subscribers = new ConcurrentHashMap<>();

  private final AtomicInteger subscriberCount = new AtomicInteger();
  private final ServerMetrics metrics;
  private final Object lock = new Object();
  private LinkedHashMap<String, Change> pending = new LinkedHashMap<>();
  private ScheduledFuture<?> ticker;

  private record Change(PeerInfo peer, boolean joined) {}

  PeerEventBroadcaster(ServerMetrics metrics) {
    this.metrics = metrics;
  }

  void start(EventExecutor executor, Duration interval) {
    long millis = interval.toMillis();
    ticker = executor.scheduleAtFixedRate(this::flush, millis, millis, TimeUnit.MILLISECONDS);
  }

  void stop() {
    if (ticker != null) {
      ticker.cancel(false);
    }
  }

  /** Subscribes a channel; call on the channel's event loop. */
  void subscribe(Channel channel) {
    assert channel.eventLoop().inEventLoop();
    if (subscribers.computeIfAbsent(channel.eventLoop(), l -> new HashSet<>()).add(channel)) {
      subscriberCount.incrementAndGet();
    }
  }

  /** Unsubscribes a channel; call on the channel's event loop. */
  void unsubscribe(Channel channel) {
    assert channel.eventLoop().inEventLoop();
    Set<Channel> set = subscribers.get(channel.eventLoop());
    if (set != null && set.remove(channel)) {
      subscriberCount.decrementAndGet();
    }
  }

  int subscriberCount() {
    return subscriberCount.get();
  }

  @Override
  public void onJoined(PeerEntry entry) {
    add(entry, true);
  }

  @Override
  public void onLeft(PeerEntry entry) {
    add(entry, false);
  }

  /** A takeover is the same peer at its new connection: others see it joined in its new state. */
  @Override
  public void onReplaced(PeerEntry previous, PeerEntry entry) {
    add(entry, true);
  }

  private void add(PeerEntry entry, boolean joined) {
    Change change = new Change(entry.toPeerInfo(), joined);
    synchronized (lock) {
      pending.remove(entry.nickname());
      pending.put(entry.nickname(), change);
    }
  }

  /** Sends what changed since the last flush; runs on the ticker's executor. */
  void flush() {
    LinkedHashMap<String, Change> batch;
    synchronized (lock) {
      if (pending.isEmpty()) {
        return;
      }
      batch = pending;
      pending = new LinkedHashMap<>();
    }
    List<ByteBuf> frames = new ArrayList<>();
    try {
      List<PeerInfo> joined = new ArrayList<>();
      List<PeerInfo> left = new ArrayList<>();
      for (Change change : batch.values()) {
        (change.joined() ? joined : left).add(change.peer());
        if (joined.size() + left.size() == BootstrapProtocol.MAX_CHANGES_PER_FRAME) {
          frames.add(encode(joined, left));
          joined.clear();
          left.clear();
        }
      }
      if (!joined.isEmpty() || !left.isEmpty()) {
        frames.add(encode(joined, left));
      }
      for (Map.Entry<EventLoop, Set<Channel>> e : subscribers.entrySet()) {
        List<ByteBuf> retained = new ArrayList<>(frames.size());
        for (ByteBuf frame : frames) {
          retained.add(frame.retain());
        }
        Set<Channel> set = e.getValue();
        try {
          e.getKey().execute(() -> writeAll(set, retained));
        } catch (RejectedExecutionException shuttingDown) {
          retained.forEach(ByteBuf::release);
        }
      }
    } catch (RuntimeException e) {
      LOG.error("Failed to send a batch of {} peer changes", batch.size(), e);
    } finally {
      frames.forEach(ByteBuf::release);
    }
  }

  private void writeAll(Set<Channel> channels, List<ByteBuf> frames) {
    List<Channel> slow = new ArrayList<>();
    int written = 0;
    try {
      for (Channel channel : channels) {
        if (!channel.isActive() || SlowConsumers.isClosing(channel)) {
          continue;
        }
        for (ByteBuf frame : frames) {
          // Checked before every frame: one busy interval must not queue more than the
          // high-water mark (plus one frame) for a client that does not read.
          if (!channel.isWritable()) {
            slow.add(channel);
            break;
          }
          channel.writeAndFlush(
              new TextWebSocketFrame(frame.retainedDuplicate()), channel.voidPromise());
          written++;
        }
      }
    } finally {
      frames.forEach(ByteBuf::release);
    }
    metrics.framesOut.increment(written);
    for (Channel channel : slow) {
      SlowConsumers.close(channel, metrics);
    }
  }

  private static ByteBuf encode(List<PeerInfo> joined, List<PeerInfo> left) {
    return BootstrapCodec.encode(
        ByteBufAllocator.DEFAULT, new ServerFrame.PeersChanged(joined, left));
  }
}
