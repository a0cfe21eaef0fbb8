package io.parlance.client.control;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A client of a daemon's control socket: writes command lines and reads the JSON lines that come
 * back. Not thread-safe, except {@link #close()}.
 */
public final class ControlClient implements AutoCloseable {

  private final Path socketFile;
  private final SocketChannel channel;
  private final BufferedReader reader;
  private final AtomicBoolean timedOut = new AtomicBoolean();
  private final AtomicBoolean answered = new AtomicBoolean();

  private ControlClient(Path socketFile, SocketChannel channel) {
    this.socketFile = socketFile;
    this.channel = channel;
    this.reader =
        new BufferedReader(
            new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
  }

  /**
   * Connects to a control socket.
   *
   * @param socketFile the socket
   * @return the connected client
   * @throws DaemonNotRunningException if there is no socket or nothing accepts on it
   * @throws IOException if the connect fails otherwise (e.g. permission denied)
   */
  public static ControlClient connect(Path socketFile) throws IOException {
    Objects.requireNonNull(socketFile, "socketFile");
    if (!Files.exists(socketFile)) {
      throw new DaemonNotRunningException(socketFile, null);
    }
    SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
    try {
      channel.connect(UnixDomainSocketAddress.of(socketFile));
    } catch (IOException e) {
      channel.close();
      String why = String.valueOf(e.getMessage());
      if (e instanceof java.net.ConnectException
          || e instanceof java.nio.file.NoSuchFileException
          || why.contains("Connection refused")
          || why.contains("No such file")) {
        throw new DaemonNotRunningException(socketFile, e);
      }
      throw new IOException(
          "cannot connect to the control socket " + socketFile + ": " + e.getMessage(), e);
    }
    return new ControlClient(socketFile, channel);
  }

  /**
   * Closes the connection after a while unless {@link #close()} or {@link #answered()} came first;
   * a read blocked then fails, and {@link #timedOut()} tells why.
   *
   * @param timeout how long
   */
  public void closeAfter(Duration timeout) {
    CompletableFuture.delayedExecutor(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .execute(
            () -> {
              if (!answered.get() && channel.isOpen()) {
                timedOut.set(true);
                close();
              }
            });
  }

  /** Cancels the timeout of {@link #closeAfter}: the daemon answered, reading may now wait. */
  public void answered() {
    answered.set(true);
  }

  /**
   * Tells whether {@link #closeAfter} closed the connection.
   *
   * @return true if it timed out
   */
  public boolean timedOut() {
    return timedOut.get();
  }

  /**
   * Writes one command line.
   *
   * @param line the command, without a line break
   * @throws IOException if the daemon closed the connection
   */
  public void send(String line) throws IOException {
    if (line.indexOf('\n') >= 0 || line.indexOf('\r') >= 0) {
      throw new IllegalArgumentException("a command cannot contain line breaks");
    }
    ByteBuffer bytes = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
    while (bytes.hasRemaining()) {
      channel.write(bytes);
    }
  }

  /**
   * Reads the next line the daemon writes.
   *
   * @return the line, or null when the daemon closed the connection
   * @throws IOException if reading fails (or the connection timed out, see {@link #timedOut()})
   */
  public String readLine() throws IOException {
    return reader.readLine();
  }

  /**
   * Returns the socket this client is connected to.
   *
   * @return the path
   */
  public Path socketFile() {
    return socketFile;
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException ignored) {
      // Closing a Unix socket we own does not fail in a way worth reporting.
    }
  }
}
