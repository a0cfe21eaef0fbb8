package io.parlance.bootstrap;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** The shaded {@code bootstrap-server.jar} running as a child process, for end-to-end tests. */
public final class ServerProcess implements AutoCloseable {

  private final Process process;
  private final int port;
  private final List<String> stderr = new CopyOnWriteArrayList<>();
  private final CompletableFuture<Integer> listening = new CompletableFuture<>();

  private ServerProcess(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  /**
   * Finds the jar: {@code bootstrap-server/target/bootstrap-server.jar} from the module or the
   * repository root.
   *
   * @return the jar path
   */
  public static Path jar() {
    for (Path p :
        List.of(
            Path.of("target", "bootstrap-server.jar"),
            Path.of("..", "bootstrap-server", "target", "bootstrap-server.jar"))) {
      if (Files.isRegularFile(p)) {
        return p.toAbsolutePath();
      }
    }
    throw new IllegalStateException(
        "bootstrap-server.jar is not built; run mvn -pl bootstrap-server -am package");
  }

  /**
   * Returns a port that was free a moment ago.
   *
   * @return the port
   * @throws IOException if no port can be had
   */
  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /**
   * Starts the server jar with extra arguments and waits until it listens.
   *
   * @param port the port to use
   * @param args more arguments
   * @return the process
   * @throws Exception if it does not start within 30 s
   */
  public static ServerProcess start(int port, String... args) throws Exception {
    ServerProcess p = launch(port, args);
    p.listening.get(30, TimeUnit.SECONDS);
    return p;
  }

  /**
   * Starts the server jar without waiting.
   *
   * @param port the port to use
   * @param args more arguments
   * @return the process
   * @throws IOException if it cannot be launched
   */
  public static ServerProcess launch(int port, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx256m");
    cmd.add("-jar");
    cmd.add(jar().toString());
    cmd.add("--host");
    cmd.add("127.0.0.1");
    cmd.add("--port");
    cmd.add(Integer.toString(port));
    cmd.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(cmd);
    // The mailbox's default file goes under XDG_DATA_HOME: a directory of this process's own.
    builder
        .environment()
        .put("XDG_DATA_HOME", Files.createTempDirectory("bootstrap-server-data").toString());
    ServerProcess p = new ServerProcess(builder.start(), port);
    p.pump();
    return p;
  }

  private void pump() {
    Thread out =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  if (line.startsWith("bootstrap-server listening on port ")) {
                    listening.complete(port);
                  }
                }
              } catch (IOException e) {
                listening.completeExceptionally(e);
              }
              listening.completeExceptionally(
                  new IllegalStateException("server exited: " + String.join("\n", stderr)));
            },
            "server-stdout");
    Thread err =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  stderr.add(line);
                }
              } catch (IOException e) {
                stderr.add(e.toString());
              }
            },
            "server-stderr");
    out.setDaemon(true);
    err.setDaemon(true);
    out.start();
    err.start();
  }

  /**
   * Returns the port.
   *
   * @return the port
   */
  public int port() {
    return port;
  }

  /**
   * Returns the OS process id.
   *
   * @return the pid
   */
  public long pid() {
    return process.pid();
  }

  /**
   * Returns what the server wrote to stderr so far.
   *
   * @return the lines
   */
  public List<String> stderr() {
    return stderr;
  }

  /**
   * Sends SIGTERM and waits for the exit code.
   *
   * @return the exit code
   * @throws InterruptedException if interrupted
   */
  public int terminate() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      throw new IllegalStateException("server did not stop within 20 s of SIGTERM");
    }
    return process.exitValue();
  }

  /**
   * Waits for the process to end by itself.
   *
   * @return the exit code
   * @throws InterruptedException if interrupted
   */
  public int waitForExit() throws InterruptedException {
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("server did not exit within 30 s");
    }
    return process.exitValue();
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
  }
}
