package io.parlance.client.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The control socket's transport: permissions, stale sockets and every bound, with no node. */
class ControlServerTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir Path dir;

  private final List<AutoCloseable> open = new ArrayList<>();
  private final AtomicInteger closedSessions = new AtomicInteger();
  private final Set<String> sessionThreads = ConcurrentHashMap.newKeySet();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = open.size() - 1; i >= 0; i--) {
      open.get(i).close();
    }
  }

  /** Answers "echo:LINE"; "flood N" sends N lines of 1000 characters; "quit" ends. */
  private ControlSession echo(ControlConnection connection) {
    return new ControlSession() {
      @Override
      public boolean line(String line) {
        sessionThreads.add(Thread.currentThread().getName());
        if (line.equals("quit")) {
          return false;
        }
        if (line.startsWith("flood ")) {
          String big = "x".repeat(1000);
          for (int i = Integer.parseInt(line.substring(6)); i > 0; i--) {
            if (!connection.send(big)) {
              break;
            }
          }
          return true;
        }
        connection.send("echo:" + line);
        return true;
      }

      @Override
      public CompletionStage<Void> drained() {
        return CompletableFuture.completedFuture(null);
      }

      @Override
      public void closed() {
        closedSessions.incrementAndGet();
      }
    };
  }

  private ControlServer start(ControlServer.Limits limits) throws IOException {
    ControlServer server = ControlServer.start(dir.resolve("control.sock"), limits, this::echo);
    open.add(server);
    return server;
  }

  private ControlClient client() throws IOException {
    ControlClient client = ControlClient.connect(dir.resolve("control.sock"));
    client.closeAfter(WAIT);
    open.add(client);
    return client;
  }

  @Test
  void theSocketIsOwnerOnlyAnswersLinesAndIsRemovedOnClose() throws Exception {
    ControlServer server = start(ControlServer.Limits.DEFAULTS);
    Path socket = dir.resolve("control.sock");

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)))
        .isEqualTo("rw-------");
    ControlClient client = client();
    client.send("hello ünïcode 😀");
    assertThat(client.readLine()).isEqualTo("echo:hello ünïcode 😀");

    server.close();

    assertThat(socket).doesNotExist();
    assertThat(client.readLine()).isNull();
    assertThatThrownBy(() -> ControlClient.connect(socket))
        .isInstanceOf(DaemonNotRunningException.class);
  }

  @Test
  void aStaleSocketOfACrashedDaemonIsReplaced() throws Exception {
    Path socket = dir.resolve("control.sock");
    try (ServerSocketChannel crashed = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      crashed.bind(UnixDomainSocketAddress.of(socket));
    } // closing a Unix server socket leaves its file behind, as a crash does
    assertThat(socket).exists();
    assertThatThrownBy(() -> ControlClient.connect(socket))
        .isInstanceOf(DaemonNotRunningException.class);

    start(ControlServer.Limits.DEFAULTS);

    ControlClient client = client();
    client.send("ping");
    assertThat(client.readLine()).isEqualTo("echo:ping");
  }

  @Test
  void aSocketThatAnswersIsNotTakenOver() throws Exception {
    start(ControlServer.Limits.DEFAULTS);

    assertThatThrownBy(
            () ->
                ControlServer.start(
                    dir.resolve("control.sock"), ControlServer.Limits.DEFAULTS, this::echo))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("another process already serves the control socket");
    ControlClient client = client();
    client.send("still mine");
    assertThat(client.readLine()).isEqualTo("echo:still mine");
  }

  @Test
  void aFileInTheWayIsNotDeleted() throws Exception {
    Path socket = Files.writeString(dir.resolve("control.sock"), "precious");

    assertThatThrownBy(() -> start(ControlServer.Limits.DEFAULTS))
        .hasMessageContaining("is not a socket");
    assertThat(socket).content().isEqualTo("precious");
  }

  @Test
  void aTooLongLineGetsAnErrorAndTheConnectionIsClosed() throws Exception {
    start(new ControlServer.Limits(4, 1024, 100, 100_000));
    ControlClient client = client();
    client.send("x".repeat(1024)); // exactly the limit is fine
    assertThat(client.readLine()).isEqualTo("echo:" + "x".repeat(1024));

    client.send("y".repeat(5000));

    assertThat(client.readLine())
        .contains("\"event\":\"error\"", "\"reason\":\"line_too_long\"", "over 1024 bytes");
    assertThat(readToEnd(client)).isTrue();
    await().atMost(WAIT).until(() -> closedSessions.get() == 1);
  }

  @Test
  void invalidUtf8GetsAnErrorAndTheConnectionGoesOnAndCrLfIsAccepted() throws Exception {
    start(ControlServer.Limits.DEFAULTS);
    try (SocketChannel raw =
        SocketChannel.open(UnixDomainSocketAddress.of(dir.resolve("control.sock")))) {
      raw.write(ByteBuffer.wrap(new byte[] {(byte) 0xC3, (byte) 0x28, '\n', 'o', 'k', '\r', '\n'}));
      String answers = readLines(raw, 2);
      assertThat(answers).contains("\"reason\":\"invalid_utf8\"").endsWith("\necho:ok\n");
    }
  }

  @Test
  void connectionsOverTheLimitAreRefusedWithAnErrorLine() throws Exception {
    ControlServer server = start(new ControlServer.Limits(2, 1024, 100, 100_000));
    ControlClient first = client();
    ControlClient second = client();
    first.send("1");
    second.send("2");
    assertThat(first.readLine()).isEqualTo("echo:1");
    assertThat(second.readLine()).isEqualTo("echo:2");

    ControlClient third = client();

    assertThat(third.readLine()).contains("\"reason\":\"too_many_connections\"", "limit is 2");
    assertThat(third.readLine()).isNull();
    assertThat(server.refusedConnections()).isEqualTo(1);

    first.send("quit");
    assertThat(first.readLine()).isNull();
    await().atMost(WAIT).until(() -> server.connectionCount() == 1);
    ControlClient fourth = client();
    fourth.send("4");
    assertThat(fourth.readLine()).isEqualTo("echo:4");
  }

  @Test
  void aClientThatDoesNotReadIsDroppedWithoutHoldingUpOthers() throws Exception {
    ControlServer server = start(new ControlServer.Limits(4, 1024, 16, 64_000));
    try (SocketChannel stuck =
        SocketChannel.open(UnixDomainSocketAddress.of(dir.resolve("control.sock")))) {
      // 20 MB of answers that this client never reads: far beyond any socket buffer.
      stuck.write(ByteBuffer.wrap("flood 20000\n".getBytes(StandardCharsets.UTF_8)));

      await().atMost(WAIT).until(() -> server.droppedConnections() == 1);

      ControlClient other = client();
      other.send("are you there");
      assertThat(other.readLine()).isEqualTo("echo:are you there");
      await().atMost(WAIT).until(() -> server.connectionCount() == 1);
      assertThat(closedSessions.get()).isEqualTo(1);
    }
  }

  @Test
  void aClientThatEndsItsInputStillGetsEveryAnswerAndThenTheEnd() throws Exception {
    start(ControlServer.Limits.DEFAULTS);
    try (SocketChannel raw =
        SocketChannel.open(UnixDomainSocketAddress.of(dir.resolve("control.sock")))) {
      raw.write(ByteBuffer.wrap("one\ntwo\nno line break".getBytes(StandardCharsets.UTF_8)));
      raw.shutdownOutput();

      assertThat(readLines(raw, 3)).isEqualTo("echo:one\necho:two\n");
    }
    await().atMost(WAIT).until(() -> closedSessions.get() == 1);
  }

  @Test
  void manyLinesInOneWriteAreHandledInOrderOffTheEventLoop() throws Exception {
    start(ControlServer.Limits.DEFAULTS);
    StringBuilder lines = new StringBuilder();
    StringBuilder answers = new StringBuilder();
    for (int i = 0; i < 2000; i++) {
      lines.append(i).append('\n');
      answers.append("echo:").append(i).append('\n');
    }
    try (SocketChannel raw =
        SocketChannel.open(UnixDomainSocketAddress.of(dir.resolve("control.sock")))) {
      ByteBuffer bytes = ByteBuffer.wrap(lines.toString().getBytes(StandardCharsets.UTF_8));
      while (bytes.hasRemaining()) {
        raw.write(bytes);
      }

      assertThat(readLines(raw, 2000)).isEqualTo(answers.toString());
    }
    assertThat(sessionThreads).isNotEmpty().allMatch(name -> !name.contains("-io"));
  }

  @Test
  void aClientThatWritesCommandsFasterThanItReadsIsHeldBackNotDropped() throws Exception {
    ControlServer server = start(new ControlServer.Limits(4, 1024, 16, 64_000));
    int commands = 2000; // 2 MB of answers: far beyond the socket buffers and the output bound
    try (SocketChannel raw =
        SocketChannel.open(UnixDomainSocketAddress.of(dir.resolve("control.sock")))) {
      ByteBuffer bytes =
          ByteBuffer.wrap("flood 1\n".repeat(commands).getBytes(StandardCharsets.UTF_8));
      raw.configureBlocking(false);
      while (bytes.hasRemaining()) {
        raw.write(bytes); // the daemon reads on only as its answers drain: this stalls
        if (bytes.hasRemaining()) {
          assertThat(readSome(raw)).isGreaterThanOrEqualTo(0);
        }
      }
      raw.configureBlocking(true);
      raw.shutdownOutput();

      long answers = 0;
      for (long n; (n = readSome(raw)) >= 0; ) {
        answers += n;
      }
      assertThat(answers).isEqualTo((long) commands * 1001);
    }
    assertThat(server.droppedConnections()).isZero();
  }

  /** Reads what is there (all that comes, when blocking) and counts it; -1 at the end. */
  private static long readSome(SocketChannel channel) throws IOException {
    return channel.read(ByteBuffer.allocate(65536));
  }

  private static boolean readToEnd(ControlClient client) {
    try {
      while (client.readLine() != null) {
        // skip
      }
      return true;
    } catch (IOException e) {
      return e.getMessage() != null && e.getMessage().contains("reset"); // closed with unread input
    }
  }

  private static String readLines(SocketChannel channel, int lines) throws IOException {
    StringBuilder text = new StringBuilder();
    ByteBuffer buffer = ByteBuffer.allocate(4096);
    while (text.chars().filter(c -> c == '\n').count() < lines) {
      buffer.clear();
      if (channel.read(buffer) < 0) {
        break;
      }
      text.append(new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8));
    }
    return text.toString();
  }
}
