package io.parlance.client.control;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.kqueue.KQueue;
import io.netty.channel.kqueue.KQueueEventLoopGroup;
import io.netty.channel.kqueue.KQueueServerDomainSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;

/**
 * The Netty transport that serves Unix domain sockets on this machine: the native epoll transport
 * on Linux (x86_64 and aarch64), kqueue on macOS (x86_64 and aarch64); their natives ship in the
 * jar. Where neither loads (another OS or CPU, or a system without the C library they need), the
 * daemon cannot serve its control socket and says so; the chat and {@code --json} mode do not need
 * it.
 */
enum ControlTransport {
  EPOLL {
    @Override
    EventLoopGroup group(String threadName) {
      return new EpollEventLoopGroup(1, new DefaultThreadFactory(threadName, true));
    }

    @Override
    Class<? extends ServerChannel> serverChannel() {
      return EpollServerDomainSocketChannel.class;
    }
  },
  KQUEUE {
    @Override
    EventLoopGroup group(String threadName) {
      return new KQueueEventLoopGroup(1, new DefaultThreadFactory(threadName, true));
    }

    @Override
    Class<? extends ServerChannel> serverChannel() {
      return KQueueServerDomainSocketChannel.class;
    }
  };

  /**
   * Makes the event loop group, of one daemon thread.
   *
   * @param threadName the thread's name
   * @return the group
   */
  abstract EventLoopGroup group(String threadName);

  /**
   * Returns the server channel type for Unix domain sockets.
   *
   * @return the class
   */
  abstract Class<? extends ServerChannel> serverChannel();

  /**
   * Finds the transport of this machine.
   *
   * @return epoll or kqueue
   * @throws IOException if neither loads here, saying why and what works instead
   */
  static ControlTransport find() throws IOException {
    if (Epoll.isAvailable()) {
      return EPOLL;
    }
    if (KQueue.isAvailable()) {
      return KQUEUE;
    }
    Throwable why = isMac() ? KQueue.unavailabilityCause() : Epoll.unavailabilityCause();
    throw new IOException(
        "cannot serve a control socket on this system: Unix domain sockets need Netty's native"
            + " transport (epoll on Linux x86_64 or aarch64, kqueue on macOS), and it does not load"
            + " here ("
            + (why == null ? "unknown reason" : why.getMessage())
            + "); run parlance without the daemon (the chat, or --json mode) instead");
  }

  private static boolean isMac() {
    return System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("mac");
  }
}
