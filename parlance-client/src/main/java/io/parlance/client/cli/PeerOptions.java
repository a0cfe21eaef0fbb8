package io.parlance.client.cli;

import ch.qos.logback.classic.Level;
import io.parlance.client.config.ConfigFile;
import io.parlance.client.config.Environment;
import io.parlance.client.config.LimitSettings;
import io.parlance.client.config.Mode;
import io.parlance.client.config.Settings;
import io.parlance.client.internet.BootstrapClientOptions;
import io.parlance.client.node.NodeOptions;
import io.parlance.protocol.Nickname;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
              + " wss://example.org; repeat it for servers of one cluster to fail over to"
              + " (config: [network] bootstrap_server, a URL or a list of them).")
  List<String> bootstrapServer;

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
      names = "--no-mailbox",
      negatable = true,
      description =
          "Do not use the bootstrap server's mailbox: publish no mail key, fetch no mail, and"
              + " keep messages for peers that are away in the outbox only ([network] mailbox ="
              + " false; --mailbox wins over the file).")
  Boolean noMailbox;

  @Option(
      names = "--max-peers",
      paramLabel = "N",
      description = "Keep at most N peers in the peer list (default 4096; [limits] max_peers).")
  Integer maxPeers;

  @Option(
      names = "--max-peers-per-ip",
      paramLabel = "N",
      description = "Keep at most N peers of one IP address (default 256; max_peers_per_ip).")
  Integer maxPeersPerIp;

  @Option(
      names = "--max-connections",
      paramLabel = "N",
      description = "Accept at most N message connections at once (default 256; max_connections).")
  Integer maxConnections;

  @Option(
      names = "--max-connections-per-address",
      paramLabel = "N",
      description =
          "Accept at most N message connections from one address (default 32;"
              + " max_connections_per_address).")
  Integer maxConnectionsPerAddress;

  /** The config file the settings came from, if any, for its [limits]. */
  private Optional<Path> settingsFile = Optional.empty();

  @Option(
      names = "--no-relay",
      description =
          "Never relay through the bootstrap server: do not offer to be relayed to, do not ask for"
              + " relays; peers that cannot connect to each other directly then cannot chat.")
  boolean noRelay;

  @Option(
      names = "--no-punch",
      description =
          "Do not try hole punches: a relayed conversation stays on the relay (unless the direct"
              + " path starts to work), and punches peers ask for are ignored.")
  boolean noPunch;

  @Option(names = "--multicast-port", hidden = true, description = "For tests only.")
  Integer multicastPort;

  /** Layers the settings: defaults, the config file, the environment, then the flags. */
  Settings settings(Path workingDirectory, Map<String, String> environment) {
    Settings settings = Settings.defaults();
    Optional<Path> file = ConfigFile.locate(configFile, workingDirectory, environment);
    settingsFile = file;
    if (file.isPresent()) {
      settings = settings.overriddenBy(ConfigFile.read(file.get()));
    }
    settings = settings.overriddenBy(Environment.read(environment));
    return settings.overriddenBy(
        new Settings(
            nickname,
            mode,
            bootstrapServer == null ? null : String.join(",", bootstrapServer),
            interfaceName,
            port,
            announceIntervalSecs,
            timeoutSecs,
            requireEncryption,
            noMailbox == null ? null : !noMailbox));
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
              .mailbox(!Boolean.FALSE.equals(settings.mailbox()))
              .relay(!noRelay)
              .holePunching(!noPunch);
      if (settings.mode() != Mode.LOCAL) {
        builder.bootstrapServer(bootstrapUrl(settings));
      }
      if (multicastPort != null) {
        builder.multicastPort(multicastPort);
      }
      limits(builder);
      return builder.build();
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
  }

  /** Applies the limits: defaults, then the config file's [limits], then the flags. */
  private void limits(NodeOptions.Builder builder) {
    LimitSettings limits =
        settingsFile
            .map(ConfigFile::readLimits)
            .orElse(LimitSettings.EMPTY)
            .overriddenBy(
                new LimitSettings(
                    atLeastOne("--max-peers", maxPeers),
                    atLeastOne("--max-peers-per-ip", maxPeersPerIp),
                    atLeastOne("--max-connections", maxConnections),
                    atLeastOne("--max-connections-per-address", maxConnectionsPerAddress)));
    NodeOptions defaults = NodeOptions.builder("x").build();
    int peers = limits.maxPeers() != null ? limits.maxPeers() : defaults.maxPeers();
    int perIp = limits.maxPeersPerIp() != null ? limits.maxPeersPerIp() : defaults.maxPeersPerIp();
    if (perIp > peers) {
      throw new ParameterException(
          spec.commandLine(),
          "the peers kept per IP address ("
              + perIp
              + ", --max-peers-per-ip) cannot exceed the peers kept in all ("
              + peers
              + ", --max-peers)");
    }
    builder.maxPeers(peers, perIp);
    int connections =
        limits.maxConnections() != null
            ? limits.maxConnections()
            : defaults.maxInboundConnections();
    if (limits.maxConnections() != null) {
      builder.maxInboundConnections(connections);
    }
    if (limits.maxConnectionsPerAddress() != null) {
      if (limits.maxConnectionsPerAddress() > connections) {
        throw new ParameterException(
            spec.commandLine(),
            "the connections taken from one address ("
                + limits.maxConnectionsPerAddress()
                + ", --max-connections-per-address) cannot exceed the connections taken in all ("
                + connections
                + ", --max-connections)");
      }
      builder.maxInboundConnectionsPerAddress(limits.maxConnectionsPerAddress());
    }
  }

  private Integer atLeastOne(String option, Integer value) {
    if (value != null && value < 1) {
      throw new ParameterException(
          spec.commandLine(), option + ": must be at least 1, not " + value);
    }
    return value;
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
      for (String one : url.split(",", -1)) {
        BootstrapClientOptions.parseServerUrl(one);
      }
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
