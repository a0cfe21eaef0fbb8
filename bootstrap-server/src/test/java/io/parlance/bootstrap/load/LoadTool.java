package io.parlance.bootstrap.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Registers many WebSocket clients with a bootstrap server on this machine and measures
 * registrations per second and the server's memory. Bounded and self-stopping: at most {@value
 * #MAX_CLIENTS} clients, a hard deadline, loopback addresses only; it closes every connection
 * before it returns.
 *
 * <pre>
 * java -cp bootstrap-server/target/test-classes:bootstrap-server/target/bootstrap-server.jar \
 *     io.parlance.bootstrap.load.LoadTool --port 8080 --clients 10000 --server-pid PID
 * </pre>
 *
 * <p>Options: {@code --port} (8080), {@code --clients} (1000), {@code --sources} source addresses
 * 127.0.0.2… (one per 5,000 clients by default), {@code --in-flight} concurrent handshakes (256),
 * {@code --deadline} seconds (600), {@code --hold} seconds to keep everyone registered before
 * measuring (5), {@code --events false} to register lookup-only clients (no join/leave fan-out),
 * {@code --server-pid} to read the server's RSS and force a GC with jcmd.
 */
public final class LoadTool {

  /** The most clients one run may open. */
  public static final int MAX_CLIENTS = 60_000;

  /** The longest a run may take, in seconds. */
  public static final int MAX_DEADLINE_SECONDS = 1_800;

  private final Map<String, String> opts;
  private final PrintStream out = System.out;
  private final ConcurrentLinkedQueue<Channel> channels = new ConcurrentLinkedQueue<>();
  private final AtomicInteger registered = new AtomicInteger();
  private final AtomicInteger failed = new AtomicInteger();
  private final AtomicLong bytesIn = new AtomicLong();
  private boolean events;

  private LoadTool(Map<String, String> opts) {
    this.opts = opts;
  }

  /**
   * Runs the tool.
   *
   * @param args options, see the class comment
   * @throws Exception if the run fails
   */
  public static void main(String[] args) throws Exception {
    Map<String, String> opts = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      opts.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    new LoadTool(opts).run();
  }

  private int opt(String name, int def) {
    return Integer.parseInt(opts.getOrDefault(name, Integer.toString(def)));
  }

  private void run() throws Exception {
    int port = opt("port", 8080);
    int clients = Math.min(opt("clients", 1000), MAX_CLIENTS);
    int sources = Math.max(opt("sources", (clients + 4_999) / 5_000), 1);
    int inFlight = opt("in-flight", 256);
    int deadlineSeconds = Math.min(opt("deadline", 600), MAX_DEADLINE_SECONDS);
    int holdSeconds = opt("hold", 5);
    events = Boolean.parseBoolean(opts.getOrDefault("events", "true"));
    long pid = Long.parseLong(opts.getOrDefault("server-pid", "0"));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(deadlineSeconds);
    URI uri = URI.create("ws://127.0.0.1:" + port + "/");

    out.printf(
        "Load: %d clients from %d source addresses to %s, %s%n",
        clients,
        sources,
        uri,
        events ? "all subscribed to join/leave events" : "registering with events:false");
    Memory before = memory(port, pid);
    out.println("Before: " + before);

    EventLoopGroup group = new NioEventLoopGroup(2);
    Semaphore permits = new Semaphore(inFlight);
    try {
      Bootstrap b =
          new Bootstrap()
              .group(group)
              .channel(NioSocketChannel.class)
              .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 30_000)
              .handler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                      ch.pipeline()
                          .addLast(new HttpClientCodec())
                          .addLast(new HttpObjectAggregator(8192))
                          .addLast(
                              new WebSocketClientProtocolHandler(
                                  WebSocketClientProtocolConfig.newBuilder()
                                      .webSocketUri(uri)
                                      .maxFramePayloadLength(1 << 20)
                                      .handshakeTimeoutMillis(60_000)
                                      .build()))
                          .addLast(new Registrar(permits));
                    }
                  });
      long start = System.nanoTime();
      long lastReport = start;
      for (int i = 0; i < clients && System.nanoTime() < deadline; i++) {
        while (!permits.tryAcquire(100, TimeUnit.MILLISECONDS)) {
          if (System.nanoTime() > deadline) {
            break;
          }
        }
        InetAddress source = InetAddress.getByName("127.0.0." + (2 + i % sources));
        Channel ch =
            b.connect(new InetSocketAddress("127.0.0.1", port), new InetSocketAddress(source, 0))
                .addListener(
                    f -> {
                      if (!f.isSuccess()) {
                        failed.incrementAndGet();
                        permits.release();
                      }
                    })
                .channel();
        ch.attr(Registrar.NICK).set("load" + i);
        channels.add(ch);
        if (System.nanoTime() - lastReport > TimeUnit.SECONDS.toNanos(5)) {
          lastReport = System.nanoTime();
          out.printf(
              "  %5.1f s: %d registered, %d failed%n",
              (lastReport - start) / 1e9, registered.get(), failed.get());
        }
      }
      while (registered.get() + failed.get() < clients && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      long elapsed = System.nanoTime() - start;
      double perSecond = registered.get() / (elapsed / 1e9);
      out.printf(
          "Registered %d clients in %.1f s: %.0f registrations/s (%d failed)%n",
          registered.get(), elapsed / 1e9, perSecond, failed.get());
      long holdUntil =
          Math.min(deadline, System.nanoTime() + TimeUnit.SECONDS.toNanos(holdSeconds));
      while (System.nanoTime() < holdUntil) {
        Thread.sleep(100);
      }
      Memory after = memory(port, pid);
      out.println("With clients: " + after);
      if (registered.get() > 0 && before.heapBytes > 0) {
        out.printf(
            "Per registered client: heap %.1f KiB, RSS %.1f KiB; events received by clients: %.1f MB%n",
            (after.heapBytes - before.heapBytes) / 1024.0 / registered.get(),
            (after.rssBytes - before.rssBytes) / 1024.0 / registered.get(),
            bytesIn.get() / 1e6);
      }
    } finally {
      for (Channel ch : channels) {
        ch.close();
      }
      group.shutdownGracefully(0, 5, TimeUnit.SECONDS).awaitUninterruptibly(60_000);
    }
  }

  private record Memory(long heapBytes, long rssBytes, long peers) {
    @Override
    public String toString() {
      return String.format(
          "server heap used %.1f MiB, RSS %s, peers registered %d",
          heapBytes / 1048576.0,
          rssBytes > 0 ? String.format("%.1f MiB", rssBytes / 1048576.0) : "n/a",
          peers);
    }
  }

  private static Memory memory(int port, long pid) throws IOException, InterruptedException {
    if (pid > 0) {
      // Count live data, not garbage: ask the server's JVM to collect first.
      Process gc =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                  Long.toString(pid),
                  "GC.run")
              .redirectErrorStream(true)
              .start();
      gc.getInputStream().readAllBytes();
      gc.waitFor(60, TimeUnit.SECONDS);
    }
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    String metrics =
        http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                    .timeout(Duration.ofSeconds(30))
                    .build(),
                HttpResponse.BodyHandlers.ofString())
            .body();
    long heap = 0;
    long peers = 0;
    for (String line : metrics.split("\n")) {
      if (line.startsWith("jvm_memory_used_bytes{area=\"heap\"")) {
        heap += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      } else if (line.startsWith("bootstrap_peers_registered ")) {
        peers = (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    long rss = 0;
    Path status = Path.of("/proc", Long.toString(pid), "status");
    if (pid > 0 && Files.isReadable(status)) {
      for (String line : Files.readAllLines(status, StandardCharsets.UTF_8)) {
        if (line.startsWith("VmRSS:")) {
          rss = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    }
    return new Memory(heap, rss, peers);
  }

  /** Registers once the handshake is done, counts the answer, then only drains events. */
  private final class Registrar extends SimpleChannelInboundHandler<WebSocketFrame> {
    static final io.netty.util.AttributeKey<String> NICK =
        io.netty.util.AttributeKey.valueOf("load.nick");

    private final Semaphore permits;
    private boolean counted;

    Registrar(Semaphore permits) {
      this.permits = permits;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
        String nick = ctx.channel().attr(NICK).get();
        ctx.writeAndFlush(
            new TextWebSocketFrame(
                "{\"type\":\"register\",\"nickname\":\""
                    + nick
                    + "\",\"tcp_port\":9"
                    + (events ? "" : ",\"events\":false")
                    + "}"));
      }
      super.userEventTriggered(ctx, evt);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
      bytesIn.addAndGet(frame.content().readableBytes());
      if (!counted
          && frame instanceof TextWebSocketFrame text
          // The challenge comes first; a plain registration does not need it.
          && !text.text().startsWith("{\"type\":\"challenge\"")) {
        counted = true;
        if (text.text().startsWith("{\"type\":\"registered\"")) {
          registered.incrementAndGet();
        } else {
          failed.incrementAndGet();
        }
        permits.release();
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
      if (!counted) {
        counted = true;
        failed.incrementAndGet();
        permits.release();
      }
      super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
