package io.parlance.bootstrap.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.parlance.bootstrap.BootstrapServer;
import io.parlance.bootstrap.BootstrapServerConfig;
import io.parlance.bootstrap.cluster.ClusterOptions;
import io.parlance.bootstrap.relay.RelayLimits;
import java.io.File;
import java.io.PrintWriter;
import java.net.BindException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import javax.net.ssl.SSLException;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code bootstrap-server}: runs the registry until SIGTERM or Ctrl-C, then closes every client
 * with 1001 "going away" and exits 0. Exit codes: 0 clean stop, 1 cannot start (port in use, bad
 * TLS files), 2 bad command line.
 */
@Command(
    name = "bootstrap-server",
    mixinStandardHelpOptions = true,
    versionProvider = BootstrapServerMain.Version.class,
    description = "The Parlance bootstrap server: a WebSocket registry of online peers.",
    sortOptions = false)
public final class BootstrapServerMain implements Callable<Integer> {

  @Spec private CommandSpec spec;

  @Option(
      names = "--host",
      defaultValue = "0.0.0.0",
      description = "Address to listen on (default: ${DEFAULT-VALUE}).")
  private String host;

  @Option(
      names = "--port",
      defaultValue = "8080",
      description = "Port for WebSocket, /healthz and /metrics (default: ${DEFAULT-VALUE}).")
  private int port;

  @Option(
      names = "--dead-after",
      defaultValue = "30s",
      converter = DurationConverter.class,
      description =
          "Close a connection silent this long, pinging it half-way (default: ${DEFAULT-VALUE}).")
  private Duration deadAfter;

  @Option(
      names = "--nickname-hold",
      defaultValue = "24h",
      converter = DurationConverter.class,
      description =
          "Keep a nickname reserved this long for the key that last held it, after it leaves;"
              + " 0s for not at all (default: ${DEFAULT-VALUE}).")
  private Duration nicknameHold;

  @Option(
      names = "--max-connections-per-ip",
      defaultValue = "32",
      description = "WebSocket connections allowed per client IP (default: ${DEFAULT-VALUE}).")
  private int maxConnectionsPerIp;

  @Option(
      names = "--max-unfinished-per-ip",
      defaultValue = "16",
      description =
          "Connections per client address whose request is not complete yet, counted from the"
              + " accept (default: ${DEFAULT-VALUE}; not applied with --trust-proxy).")
  private int maxPendingPerIp;

  @Option(
      names = "--request-timeout",
      defaultValue = "10s",
      converter = DurationConverter.class,
      description =
          "Close a connection that has not finished its WebSocket handshake this long after it"
              + " was accepted (default: ${DEFAULT-VALUE}).")
  private Duration requestTimeout;

  @Option(
      names = "--registrations-per-second",
      defaultValue = "2",
      description = "Steady registrations allowed per client IP (default: ${DEFAULT-VALUE}).")
  private double registrationsPerSecond;

  @Option(
      names = "--registration-burst",
      defaultValue = "20",
      description = "Registrations allowed at once per client IP (default: ${DEFAULT-VALUE}).")
  private int registrationBurst;

  @Option(
      names = "--frames-per-second",
      defaultValue = "20",
      description = "Steady frames allowed per connection (default: ${DEFAULT-VALUE}).")
  private double framesPerSecond;

  @Option(
      names = "--trust-proxy",
      description = "Take the client IP from X-Forwarded-For (only behind your reverse proxy).")
  private boolean trustProxy;

  @Option(
      names = "--no-relay",
      description =
          "Relay no sessions and probe no registrations (peers behind NAT then cannot chat).")
  private boolean noRelay;

  @Option(
      names = "--relay-sessions",
      defaultValue = "1000",
      description = "Most relayed sessions at once, in all (default: ${DEFAULT-VALUE}).")
  private int relaySessions;

  @Option(
      names = "--relay-sessions-per-peer",
      defaultValue = "8",
      description = "Most relayed sessions one peer takes part in (default: ${DEFAULT-VALUE}).")
  private int relaySessionsPerPeer;

  @Option(
      names = "--relay-bytes-per-second",
      defaultValue = "4194304",
      description =
          "Steady bytes per second each direction of a relayed session may carry"
              + " (default: ${DEFAULT-VALUE}, 4 MiB).")
  private long relayBytesPerSecond;

  @Option(
      names = "--relay-idle-timeout",
      defaultValue = "2m",
      converter = DurationConverter.class,
      description =
          "Close a relayed session that carried nothing this long (default: ${DEFAULT-VALUE}).")
  private Duration relayIdleTimeout;

  @Option(
      names = "--probe-timeout",
      defaultValue = "1500ms",
      converter = DurationConverter.class,
      description =
          "How long the reachability probe of a registering peer may take"
              + " (default: ${DEFAULT-VALUE}).")
  private Duration probeTimeout;

  @Option(names = "--tls-cert", description = "PEM certificate chain: serve wss:// directly.")
  private File tlsCert;

  @Option(names = "--tls-key", description = "PEM private key (PKCS#8) for --tls-cert.")
  private File tlsKey;

  @Mixin private MailboxOptions mailbox = new MailboxOptions();

  @Option(
      names = "--redis",
      paramLabel = "URL",
      description =
          "Share the registry with every server on this Redis, e.g. redis://localhost:6379,"
              + " redis://:PASSWORD@HOST:6379/0, or rediss://HOST for TLS (default: none, this"
              + " server alone).")
  private String redis;

  @Option(
      names = "--server-id",
      paramLabel = "ID",
      description =
          "This server's name in the cluster (letters, digits, . _ -), unique on the Redis"
              + " (default: a random one).")
  private String serverId;

  @Option(
      names = "--public-url",
      paramLabel = "URL",
      description =
          "The ws:// or wss:// URL peers reach this server at, with any path prefix of a reverse"
              + " proxy, e.g. wss://bs1.example.org/parlance; in a cluster, peers on other servers"
              + " are told to meet relayed sessions there (default: ws:// or wss://, this"
              + " machine's host name and the port).")
  private String publicUrl;

  @Option(
      names = "--log-file",
      description =
          "Also log to this file, rolled over at 10 MB into gzipped files beside it (FILE.1.gz"
              + " the newest ... FILE.10.gz), 110 MB at most.")
  private File logFile;

  @Option(
      names = "--log-level",
      defaultValue = "info",
      description = "error, warn, info, debug or trace (default: ${DEFAULT-VALUE}).")
  private String logLevel;

  /**
   * Runs the command line.
   *
   * @param args the arguments
   */
  @SuppressWarnings("checkstyle:regexp")
  public static void main(String[] args) {
    CommandLine cli = new CommandLine(new BootstrapServerMain());
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          commandLine.getErr().println("bootstrap-server: " + friendly(e));
          return 1;
        });
    int code = cli.execute(args);
    if (code != 0) {
      System.exit(code);
    }
  }

  @Override
  public Integer call() throws Exception {
    setLogLevel();
    if ((tlsCert == null) != (tlsKey == null)) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--tls-cert and --tls-key go together");
    }
    BootstrapServerConfig.Builder config =
        BootstrapServerConfig.builder()
            .host(host)
            .port(port)
            .deadAfter(deadAfter)
            .maxConnectionsPerIp(maxConnectionsPerIp)
            .maxPendingPerIp(maxPendingPerIp)
            .requestTimeout(requestTimeout)
            .registrationRatePerIp(registrationsPerSecond, registrationBurst)
            .frameRate(framesPerSecond, Math.max(1, (int) Math.ceil(framesPerSecond * 5)))
            .trustProxy(trustProxy)
            .nicknameHold(nicknameHold, 100_000);
    try {
      config.mailbox(mailbox.config());
      RelayLimits d = RelayLimits.DEFAULTS;
      config.relay(
          new RelayLimits(
              !noRelay,
              relaySessionsPerPeer,
              relaySessions,
              relayBytesPerSecond,
              relayIdleTimeout,
              d.joinTimeout(),
              probeTimeout,
              d.probesPerSecond()));
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    if (tlsCert != null) {
      config.sslContext(sslContext());
    }
    if (serverId != null && redis == null) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--server-id needs --redis");
    }
    BootstrapServer server;
    try {
      if (redis != null) {
        config.cluster(ClusterOptions.defaults(redis, serverId, nicknameHold));
      }
      config.publicUrl(publicUrl);
      server = BootstrapServer.start(config.build());
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              server.stop();
              stopped.countDown();
              // SIGTERM after a clean stop is a clean exit: report 0, not 143.
              Runtime.getRuntime().halt(0);
            },
            "bootstrap-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    PrintWriter out = spec.commandLine().getOut();
    out.println("bootstrap-server listening on port " + server.port());
    out.flush();
    server.awaitClosed();
    stopped.await();
    return 0;
  }

  private SslContext sslContext() throws SSLException {
    for (File f : new File[] {tlsCert, tlsKey}) {
      if (!f.canRead()) {
        throw new SSLException("cannot read " + f);
      }
    }
    try {
      return SslContextBuilder.forServer(tlsCert, tlsKey).build();
    } catch (IllegalArgumentException e) {
      throw new SSLException(
          "cannot use "
              + tlsCert
              + " / "
              + tlsKey
              + " (the key must be a PEM PKCS#8 key: openssl pkcs8 -topk8 -nocrypt): "
              + e.getMessage(),
          e);
    }
  }

  private void setLogLevel() throws JoranException {
    Level level = Level.toLevel(logLevel.toUpperCase(Locale.ROOT), null);
    if (level == null) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--log-level must be error, warn, info, debug or trace");
    }
    if (logFile != null) {
      Path dir = logFile.toPath().toAbsolutePath().getParent();
      if (dir == null || !Files.isDirectory(dir) || !Files.isWritable(dir)) {
        throw new CommandLine.ParameterException(
            spec.commandLine(),
            "--log-file: cannot write in " + dir + "; create it or choose another file");
      }
      logToFile(logFile.toPath(), null);
    }
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(level);
  }

  /**
   * Logs to stderr and to a rolling file, as {@code logback-file.xml} says.
   *
   * @param file the log file
   * @param maxFileSize the size at which it rolls over (e.g. {@code 10MB}), or null for the default
   * @throws JoranException if the configuration cannot be applied
   */
  static void logToFile(Path file, String maxFileSize) throws JoranException {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    context.reset();
    context.putProperty("LOG_FILE", file.toAbsolutePath().toString());
    if (maxFileSize != null) {
      context.putProperty("LOG_MAX_FILE_SIZE", maxFileSize);
    }
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    configurator.doConfigure(BootstrapServerMain.class.getResource("/logback-file.xml"));
  }

  static String friendly(Throwable e) {
    for (Throwable c = e; c != null && c.getCause() != c; c = c.getCause()) {
      if (c instanceof IllegalStateException
          && String.valueOf(c.getMessage()).startsWith("cannot use Redis")) {
        return c.getMessage();
      }
    }
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    if (e instanceof BindException || root instanceof BindException) {
      return "cannot listen on that address and port: "
          + root.getMessage()
          + " (is another server already using the port?)";
    }
    if (root instanceof UnknownHostException) {
      return "unknown --host: " + root.getMessage();
    }
    if (e instanceof SSLException) {
      return "TLS: " + e.getMessage();
    }
    return root.getMessage() == null ? root.toString() : root.getMessage();
  }

  /** Reads {@code 30s}, {@code 500ms}, {@code 2m} or a plain number of seconds. */
  static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      String v = value.trim().toLowerCase(Locale.ROOT);
      try {
        if (v.endsWith("ms")) {
          return Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
        }
        if (v.endsWith("s")) {
          return Duration.ofSeconds(Long.parseLong(v.substring(0, v.length() - 1)));
        }
        if (v.endsWith("m")) {
          return Duration.ofMinutes(Long.parseLong(v.substring(0, v.length() - 1)));
        }
        if (v.endsWith("d")) {
          return Duration.ofDays(Long.parseLong(v.substring(0, v.length() - 1)));
        }
        if (v.endsWith("h")) {
          return Duration.ofHours(Long.parseLong(v.substring(0, v.length() - 1)));
        }
        return Duration.ofSeconds(Long.parseLong(v));
      } catch (NumberFormatException e) {
        throw new CommandLine.TypeConversionException(
            "'" + value + "' is not a duration like 30s, 500ms, 2m, 24h or 7d");
      }
    }
  }

  /** The version from the jar manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = BootstrapServerMain.class.getPackage().getImplementationVersion();
      return new String[] {"bootstrap-server " + (v == null ? "(development build)" : v)};
    }
  }
}
