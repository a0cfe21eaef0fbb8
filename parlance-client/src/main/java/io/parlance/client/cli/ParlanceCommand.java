package io.parlance.client.cli;

import ch.qos.logback.classic.Level;
import io.parlance.client.config.ConfigFile;
import io.parlance.client.config.Environment;
import io.parlance.client.config.Mode;
import io.parlance.client.config.Settings;
import io.parlance.client.node.NodeOptions;
import io.parlance.client.node.PeerNode;
import io.parlance.protocol.Nickname;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code parlance}: chat with peers on the LAN, interactively or as JSON lines. */
@Command(
    name = "parlance",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
      "Decentralized peer-to-peer chat: find peers on your LAN and message them directly.",
      "",
      "Commands in the chat: /peers, /send <nickname> <message>, /broadcast <message>,"
          + " /nick <new>, /clear, /help, /quit."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:quit normally",
      "1:failed (the reason is printed)",
      "2:usage error (bad flag, config file or nickname)"
    })
public final class ParlanceCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = {"-n", "--nickname"},
      paramLabel = "NAME",
      description = "Your nickname (1-32 bytes).")
  String nickname;

  @Option(
      names = "--mode",
      paramLabel = "MODE",
      converter = ModeConverter.class,
      description = "local (LAN multicast, the default) or internet (bootstrap server).")
  Mode mode;

  @Option(
      names = "--interface",
      paramLabel = "NAME",
      description =
          "Network interface for LAN discovery, e.g. eth0 or lo (default: the system's"
              + " multicast interface).")
  String interfaceName;

  @Option(
      names = {"-p", "--port"},
      paramLabel = "PORT",
      description = "TCP port to receive messages on (default 0: any free port).")
  Integer port;

  @Option(
      names = {"-c", "--config"},
      paramLabel = "FILE",
      description = "Config file (default: ./parlance.toml, else the user's config directory).")
  Path configFile;

  @Option(
      names = "--json",
      description = "No prompt: read commands from stdin, write events to stdout as JSON lines.")
  boolean json;

  @Option(
      names = "--log-level",
      paramLabel = "LEVEL",
      defaultValue = "info",
      description = "trace, debug, info, warn, error or off (default: ${DEFAULT-VALUE}).")
  String logLevel;

  @Option(
      names = "--log-file",
      paramLabel = "FILE",
      description = "Log file in interactive mode (default: ~/.local/state/parlance/parlance.log).")
  Path logFile;

  @Option(
      names = "--announce-interval",
      paramLabel = "SECS",
      description = "Announce every SECS seconds (default 5).")
  Integer announceIntervalSecs;

  @Option(
      names = "--peer-timeout",
      paramLabel = "SECS",
      description = "Drop a peer unheard for SECS seconds (default 15).")
  Integer timeoutSecs;

  @Option(
      names = "--generate-config",
      paramLabel = "FILE",
      description = "Write a commented example config file and exit.")
  Path generateConfig;

  @Option(names = "--multicast-port", hidden = true, description = "For tests only.")
  Integer multicastPort;

  Map<String, String> environment = System.getenv();
  Path workingDirectory = Path.of("").toAbsolutePath();
  InputStream stdin = System.in;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    if (generateConfig != null) {
      ConfigFile.writeExample(generateConfig);
      out.println("Wrote an example config to " + generateConfig);
      out.flush();
      return 0;
    }
    Settings settings = settings();
    Level level;
    try {
      level = Logging.parseLevel(logLevel);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--log-level: " + e.getMessage());
    }
    if (settings.mode() == Mode.INTERNET) {
      throw new IllegalStateException(
          "internet mode is not available in this version yet; use --mode local");
    }
    NodeOptions options = nodeOptions(settings);
    setUpLogging(level);
    PeerNode node = new PeerNode(options);
    Thread hook = new Thread(node::stop, "parlance-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      if (json) {
        JsonMode front =
            new JsonMode(
                node,
                new BufferedReader(new InputStreamReader(stdin, StandardCharsets.UTF_8)),
                out);
        node.start();
        front.run();
      } else {
        try (Terminal terminal = TerminalBuilder.builder().system(true).build()) {
          InteractiveMode front = new InteractiveMode(node, terminal, historyFile());
          node.start();
          front.run();
        }
      }
    } finally {
      node.stop();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException ignored) {
        // The JVM is already shutting down; the hook stops the node again, harmlessly.
      }
    }
    return 0;
  }

  /** Layers the settings: defaults, the config file, the environment, then the flags. */
  Settings settings() {
    Settings settings = Settings.defaults();
    Optional<Path> file = ConfigFile.locate(configFile, workingDirectory, environment);
    if (file.isPresent()) {
      settings = settings.overriddenBy(ConfigFile.read(file.get()));
    }
    settings = settings.overriddenBy(Environment.read(environment));
    return settings.overriddenBy(
        new Settings(nickname, mode, null, interfaceName, port, announceIntervalSecs, timeoutSecs));
  }

  NodeOptions nodeOptions(Settings settings) {
    if (settings.nickname() == null) {
      throw new ParameterException(
          spec.commandLine(),
          "missing nickname: pass --nickname NAME (or set peer.nickname in parlance.toml, or"
              + " PARLANCE_NICKNAME)");
    }
    Optional<String> problem = Nickname.problem(settings.nickname());
    if (problem.isPresent()) {
      throw new ParameterException(spec.commandLine(), "invalid nickname: " + problem.get());
    }
    if (settings.port() < 0 || settings.port() > 65_535) {
      throw new ParameterException(
          spec.commandLine(), "--port: " + settings.port() + " is outside 0-65535");
    }
    try {
      NodeOptions.Builder builder =
          NodeOptions.builder(settings.nickname())
              .interfaceName(settings.interfaceName())
              .tcpPort(settings.port())
              .announceInterval(Duration.ofSeconds(settings.announceIntervalSecs()))
              .peerTimeout(Duration.ofSeconds(settings.timeoutSecs()));
      if (multicastPort != null) {
        builder.multicastPort(multicastPort);
      }
      return builder.build();
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  private void setUpLogging(Level level) {
    if (json) {
      Logging.toStderr(level);
      return;
    }
    Path file = logFile != null ? logFile : Logging.defaultLogFile(environment);
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Logging.toFile(file, level);
    } catch (IOException e) {
      Logging.toStderr(Level.WARN);
    }
  }

  private Path historyFile() {
    return Logging.defaultLogFile(environment).resolveSibling("history");
  }

  /** Converts {@code local} and {@code internet}, in any case. */
  static final class ModeConverter implements ITypeConverter<Mode> {
    @Override
    public Mode convert(String value) {
      return Mode.parse(value);
    }
  }
}
