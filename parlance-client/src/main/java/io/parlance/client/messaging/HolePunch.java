package io.parlance.client.messaging;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.parlance.protocol.bootstrap.HostPort;
import io.parlance.protocol.bootstrap.PunchFrames;
import io.parlance.protocol.json.WireJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The two halves of a hole punch on a peer: learning the external mapping of a fresh local port (an
 * HTTP GET to the server's {@value PunchFrames#PATH} from that port, which answers with the source
 * address it saw), and the simultaneous open itself: connecting from that same port to the other
 * side's mapping again and again, for a bounded time, until the two sides' SYNs have opened both
 * NATs. The connected channel then gets the same pipeline as any link.
 */
public final class HolePunch {

  /** The longest answer to the mapping request read, in bytes. */
  static final int MAX_ANSWER_BYTES = 4096;

  /** How long one connect attempt of the punch may take before the next one. */
  static final Duration ATTEMPT = Duration.ofMillis(1500);

  /** The pause between two connect attempts. */
  static final Duration PAUSE = Duration.ofMillis(100);

  /** Fetches mappings off the event loops: blocking sockets, at most four at once. */
  private static final ThreadPoolExecutor FETCHERS =
      new ThreadPoolExecutor(
          0,
          4,
          30,
          TimeUnit.SECONDS,
          new SynchronousQueue<>(),
          r -> {
            Thread t = new Thread(r, "parlance-punch");
            t.setDaemon(true);
            return t;
          });

  private HolePunch() {}

  /**
   * A local port and the address the server saw it at.
   *
   * @param localPort the port bound on this host
   * @param external the source address the server saw (the NAT's mapping)
   */
  public record Mapping(int localPort, InetSocketAddress external) {}

  /**
   * Learns the mapping of a fresh local port: binds one (reusable, so the punch can bind it again),
   * asks the server's {@value PunchFrames#PATH} with the token from that port and reads the address
   * it answers with. Off the event loops.
   *
   * @param server the bootstrap server's {@code ws://} URL (its path is kept as a prefix)
   * @param token our single-use token of the punch
   * @param timeout how long connecting and the answer may take
   * @return completes with the mapping; fails with a message saying what went wrong
   */
  public static CompletableFuture<Mapping> fetchMapping(
      URI server, String token, Duration timeout) {
    Objects.requireNonNull(server, "server");
    Objects.requireNonNull(token, "token");
    CompletableFuture<Mapping> result = new CompletableFuture<>();
    try {
      FETCHERS.execute(
          () -> {
            try {
              result.complete(fetch(server, token, timeout));
            } catch (IOException | RuntimeException e) {
              result.completeExceptionally(e);
            }
          });
    } catch (RejectedExecutionException e) {
      result.completeExceptionally(new IOException("too many hole punches under way"));
    }
    return result;
  }

  private static Mapping fetch(URI server, String token, Duration timeout) throws IOException {
    if (!"ws".equals(server.getScheme()) && !"http".equals(server.getScheme())) {
      throw new IOException("hole punching needs a ws:// server (not " + server.getScheme() + ")");
    }
    int port = server.getPort() > 0 ? server.getPort() : 80;
    String prefix = server.getRawPath() == null ? "" : server.getRawPath();
    while (prefix.endsWith("/")) {
      prefix = prefix.substring(0, prefix.length() - 1);
    }
    InetAddress host = InetAddress.getByName(server.getHost());
    try (Socket s = new Socket()) {
      s.setReuseAddress(true);
      s.bind(new InetSocketAddress(0));
      int localPort = s.getLocalPort();
      s.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
      s.setSoTimeout((int) timeout.toMillis());
      OutputStream out = s.getOutputStream();
      out.write(
          ("GET "
                  + prefix
                  + PunchFrames.PATH
                  + "?token="
                  + token
                  + " HTTP/1.1\r\nHost: "
                  + server.getHost()
                  + "\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      byte[] answer = in.readNBytes(MAX_ANSWER_BYTES);
      return new Mapping(localPort, parseAnswer(new String(answer, StandardCharsets.UTF_8)));
    }
  }

  /**
   * Reads the server's answer to the mapping request: {@code 200} with {@code
   * {"address":"ip:port"}}.
   *
   * @param text the whole answer as read (at most {@link #MAX_ANSWER_BYTES})
   * @return the address
   * @throws IOException saying what was wrong with it
   */
  static InetSocketAddress parseAnswer(String text) throws IOException {
    int end = text.indexOf("\r\n\r\n");
    if (!text.startsWith("HTTP/1.1 200 ") && !text.startsWith("HTTP/1.0 200 ")) {
      String status = text.lines().findFirst().orElse("");
      if (status.length() > 64) {
        status = status.substring(0, 64);
      }
      throw new IOException(
          "the server refused the mapping request ("
              + status.replaceAll("[^\\x20-\\x7e]", "?")
              + ")");
    }
    if (end < 0) {
      throw new IOException("the server's answer to the mapping request was cut off");
    }
    try {
      JsonNode body = WireJson.mapper().readTree(text.substring(end + 4));
      return HostPort.parse("address", body.path("address").textValue());
    } catch (IOException | RuntimeException e) {
      throw new IOException("the server's answer to the mapping request is not an address");
    }
  }

  /**
   * Connects from a local port to the other side's mapping, again and again until one connect works
   * or {@code total} has passed.
   *
   * @param group the event loops
   * @param localPort the port whose mapping the other side was told
   * @param remote the other side's mapping
   * @param total how long to keep trying
   * @param handler the connected channel's initializer
   * @return completes with the connected channel; fails once the time is up
   */
  static CompletableFuture<Channel> connect(
      EventLoopGroup group,
      int localPort,
      InetSocketAddress remote,
      Duration total,
      ChannelHandler handler) {
    Bootstrap b =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .option(ChannelOption.SO_REUSEADDR, true)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) ATTEMPT.toMillis())
            .handler(handler);
    CompletableFuture<Channel> result = new CompletableFuture<>();
    long deadline = System.nanoTime() + total.toNanos();
    attempt(b, group, new InetSocketAddress(localPort), remote, deadline, 1, result);
    return result;
  }

  private static void attempt(
      Bootstrap b,
      EventLoopGroup group,
      InetSocketAddress local,
      InetSocketAddress remote,
      long deadline,
      int n,
      CompletableFuture<Channel> result) {
    b.connect(remote, local)
        .addListener(
            f -> {
              if (f.isSuccess()) {
                result.complete(((io.netty.channel.ChannelFuture) f).channel());
                return;
              }
              if (System.nanoTime() + PAUSE.toNanos() >= deadline) {
                result.completeExceptionally(
                    new IOException(
                        "no connection to "
                            + HostPort.format(remote)
                            + " after "
                            + n
                            + " attempts ("
                            + (f.cause() == null ? "timed out" : f.cause().getMessage())
                            + ")"));
                return;
              }
              group.schedule(
                  () -> attempt(b, group, local, remote, deadline, n + 1, result),
                  PAUSE.toMillis(),
                  TimeUnit.MILLISECONDS);
            });
  }
}
