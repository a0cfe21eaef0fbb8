package io.parlance.bootstrap;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Assumptions;

/**
 * A {@code redis-server} of the tests' own (Debian's package: {@code scripts/ensure-redis.sh}
 * installs it): on 127.0.0.1, a free port, a temporary directory, no persistence. A test that finds
 * no {@code redis-server} is skipped, saying so.
 */
public final class RedisServer implements AutoCloseable {

  private final Path dir;
  private final int port;
  private Process process;

  private RedisServer(Path dir, int port) {
    this.dir = dir;
    this.port = port;
  }

  /** Starts one, or skips the test when there is no redis-server on this machine. */
  public static RedisServer start() throws Exception {
    String binary = find();
    Assumptions.assumeTrue(
        binary != null,
        "no redis-server on this machine: run scripts/ensure-redis.sh (apt-get install"
            + " redis-server) to run the cluster tests");
    RedisServer r = new RedisServer(Files.createTempDirectory("parlance-redis"), freePort());
    r.launch();
    return r;
  }

  private static String find() {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
      File f = new File(dir, "redis-server");
      if (f.canExecute()) {
        return f.getPath();
      }
    }
    File usr = new File("/usr/bin/redis-server");
    return usr.canExecute() ? usr.getPath() : null;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private void launch() throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(find());
    cmd.addAll(
        List.of(
            "--port", Integer.toString(port),
            "--bind", "127.0.0.1",
            "--save", "",
            "--appendonly", "no",
            "--dir", dir.toString(),
            "--daemonize", "no",
            "--loglevel", "warning"));
    process =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("redis.log").toFile())
            .start();
    try {
      Awaitility.await()
          .atMost(Duration.ofSeconds(20))
          .pollInterval(Duration.ofMillis(20))
          .until(() -> !process.isAlive() || answers());
    } catch (ConditionTimeoutException e) {
      process.destroyForcibly();
    }
    if (!process.isAlive() || !answers()) {
      process.destroyForcibly();
      throw new IllegalStateException(
          "redis-server did not start: " + Files.readString(dir.resolve("redis.log")));
    }
  }

  /** Sends PING and tells whether PONG came back. */
  boolean answers() {
    return command("PING").startsWith("+PONG");
  }

  /**
   * Sends one inline command and returns the first line of the answer, or "" if none.
   *
   * @param inline the command, e.g. {@code SCARD parlance:peers}
   * @return the answer's first line
   */
  String command(String inline) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
      s.setSoTimeout(2000);
      OutputStream out = s.getOutputStream();
      out.write((inline + "\r\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = s.getInputStream();
      StringBuilder line = new StringBuilder();
      int c;
      while ((c = in.read()) >= 0 && c != '\n') {
        line.append((char) c);
      }
      return line.toString().trim();
    } catch (IOException e) {
      return "";
    }
  }

  /** The answer of an integer command, or -1. */
  long integer(String inline) {
    String a = command(inline);
    return a.startsWith(":") ? Long.parseLong(a.substring(1)) : -1;
  }

  public String uri() {
    return "redis://127.0.0.1:" + port;
  }

  int port() {
    return port;
  }

  /** Kills it (SIGKILL): nothing is saved, so it comes back empty. */
  void kill() {
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Starts it again on the same port, empty. */
  void restart() throws Exception {
    kill();
    launch();
  }

  @Override
  public void close() throws IOException {
    kill();
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
