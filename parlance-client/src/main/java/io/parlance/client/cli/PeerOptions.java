package io.parlance.client.cli;

import ch.qos.logback.classic.Level;
import io.parlance.client.config.ConfigFile;
import io.parlance.client.config.Environment;
import io.parlance.client.config.Mode;
import io.parlance.client.config.Settings;
import io.parlance.client.internet.BootstrapClientOptions;
import io.parlance.client.node.NodeOptions;
import io.parlance.protocol.Nickname;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * The options of a running peer, shared by the chat and the daemon (a picocli mixin), and how they
 * layer with the config file and the environment into {@link NodeOptions}.
 */
final class PeerOptions {

  @Spec(Spec.Target.MIXEE)
  CommandSpec spec;

  @Option(
      names = {"-n", "--nickname"},
      paramLabel = "NAME",
      description = "Your nickname (1-32 bytes).")
  String nickname;

  @Option(
      names = "--mode",
      paramLabel = "MODE",
      converter = ModeConverter.class,
      description =
          "local (LAN multicast, the default), internet (through a bootstrap server) or both.")
  Mode mode;

  @Option(
      names = "--bootstrap",
      paramLabel = "URL",
      description =
          "The bootstrap server for internet mode, e.g. ws://example.org:8080 or"
              + " wss://example.org (config: [network] bootstrap_server).")
  String bootstrapServer;

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
      names = "--log-level",
      paramLabel = "LEVEL",
      defaultValue = "info",
      description = "trace, debug, info, warn, error or off (default: ${DEFAULT-VALUE}).")
  String logLevel;

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
      names = "--require-encryption",
      negatable = true,
      description =
          "Talk to encrypted, authenticated peers only: refuse plain (Rust Parlance) peers in"
              + " both directions.")
  Boolean requireEncryption;

  @Option(
      names = "--no-relay",
      description =
          "Never relay through the bootstrap server: do not offer to be relayed to, do not ask for"
              + " relays; peers that cannot connect to each other directly then cannot chat.")
  boolean noRelay;

  @Option(names = "--multicast-port", hidden = true, description = "For tests only.")
  Integer multicastPort;

  /** Layers the settings: defaults, the config file, the environment, then the flags. */
  Settings settings(Path workingDirectory, Map<String, String> environment) {
    Settings settings = Settings.defaults();
    Optional<Path> file = ConfigFile.locate(configFile, workingDirectory, environment);
    if (file.isPresent()) {
      settings = settings.overriddenBy(ConfigFile.read(file.get()));
    }
    settings = settings.overriddenBy(Environment.read(environment));
    return settings.overriddenBy(
        new Settings(
            nickname,
            mode,
            bootstrapServer,
            interfaceName,
            port,
            announceIntervalSecs,
            timeoutSecs,
            requireEncryption));
  }

  /** Parses {@code --log-level}. */
  Level level() {
    try {
      return Logging.parseLevel(logLevel);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--log-level: " + e.getMessage());
    }
  }

  /** Checks the settings and turns them into node options. */
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
    atLeastOneSecond("--announce-interval", settings.announceIntervalSecs());
    atLeastOneSecond("--peer-timeout", settings.timeoutSecs());
    try {
      NodeOptions.Builder builder =
          NodeOptions.builder(settings.nickname())
              .interfaceName(settings.interfaceName())
              .tcpPort(settings.port())
              .announceInterval(Duration.ofSeconds(settings.announceIntervalSecs()))
              .peerTimeout(Duration.ofSeconds(settings.timeoutSecs()))
              .lanDiscovery(settings.mode() != Mode.INTERNET)
              .requireEncryption(Boolean.TRUE.equals(settings.requireEncryption()))
              .relay(!noRelay);
      if (settings.mode() != Mode.LOCAL) {
        builder.bootstrapServer(bootstrapUrl(settings));
      }
      if (multicastPort != null) {
        builder.multicastPort(multicastPort);
      }
      return builder.build();
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  private void atLeastOneSecond(String option, int seconds) {
    if (seconds < 1) {
      throw new ParameterException(
          spec.commandLine(), option + ": must be at least 1 second, not " + seconds);
    }
  }

  /** Checks the bootstrap server's URL for internet and both modes. */
  private String bootstrapUrl(Settings settings) {
    String url = settings.bootstrapServer();
    if (url == null || url.isBlank()) {
      throw new ParameterException(
          spec.commandLine(),
          settings.mode()
              + " mode needs a bootstrap server: pass --bootstrap ws://HOST:PORT (or set"
              + " [network] bootstrap_server in parlance.toml, or PARLANCE_BOOTSTRAP_SERVER)");
    }
    try {
      BootstrapClientOptions.parseServerUrl(url);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--bootstrap: " + e.getMessage());
    }
    return url;
  }

  /** Converts {@code local}, {@code internet} and {@code both}, in any case. */
  static final class ModeConverter implements ITypeConverter<Mode> {
    @Override
    public Mode convert(String value) {
      try {
        return Mode.parse(value);
      } catch (IllegalArgumentException e) {
        throw new TypeConversionException(e.getMessage());
      }
    }
  }
}
