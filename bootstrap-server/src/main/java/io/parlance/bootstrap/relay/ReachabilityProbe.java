package io.parlance.bootstrap.relay;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.parlance.protocol.TokenBucket;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;

/**
 * Tells whether a TCP connection back to a registering peer's address succeeds, like STUN tells a
 * peer how it is seen: one connect per registration, to the registration's own source IP only (so
 * it cannot be aimed at anyone else), with a timeout, and at most a steady rate in all; a
 * registration over the rate goes unprobed. The connection is closed as soon as it is up: nothing
 * is sent.
 */
public final class ReachabilityProbe {

  private final RelayLimits limits;
  private final TokenBucket rate;
  private final LongAdder reachable = new LongAdder();
  private final LongAdder unreachable = new LongAdder();
  private final LongAdder skipped = new LongAdder();

  /**
   * Creates the probe.
   *
   * @param limits the timeout and rate
   */
  public ReachabilityProbe(RelayLimits limits) {
    this.limits = limits;
    this.rate =
        new TokenBucket(
            limits.probesPerSecond(), Math.max(1, (int) Math.ceil(limits.probesPerSecond() * 2)));
  }

  /**
   * Probes an address.
   *
   * @param registering the registering connection: the probe runs on its event loop
   * @param address the registration's source IP with its TCP port
   * @return completes on {@code loop} with true if the connect succeeded, false if it failed or
   *     timed out, null if the probe was not made (over the rate, or the relay is off)
   */
  public CompletableFuture<Boolean> probe(Channel registering, InetSocketAddress address) {
    CompletableFuture<Boolean> result = new CompletableFuture<>();
    EventLoop loop = registering.eventLoop();
    // Only a connection over a real socket has a loop a probe's socket can run on.
    if (!(registering instanceof SocketChannel) || !limits.enabled() || !rate.tryTake()) {
      skipped.increment();
      result.complete(null);
      return result;
    }
    ChannelFuture connect =
        new Bootstrap()
            .group(loop)
            .channel(NioSocketChannel.class)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) limits.probeTimeout().toMillis())
            .handler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {}
                })
            .connect(address);
    connect.addListener(
        f -> {
          boolean ok = f.isSuccess();
          (ok ? reachable : unreachable).increment();
          connect.channel().close();
          result.complete(ok);
        });
    return result;
  }

  /**
   * Returns how many probes reached the peer.
   *
   * @return the count
   */
  public long reachable() {
    return reachable.sum();
  }

  /**
   * Returns how many probes failed.
   *
   * @return the count
   */
  public long unreachable() {
    return unreachable.sum();
  }

  /**
   * Returns how many registrations went unprobed.
   *
   * @return the count
   */
  public long skipped() {
    return skipped.sum();
  }
}
