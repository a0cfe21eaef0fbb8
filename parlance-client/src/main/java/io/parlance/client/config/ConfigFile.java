package io.parlance.client.config;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import io.parlance.protocol.Nickname;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Reads {@code parlance.toml}: {@code [network] mode, bootstrap_server, interface, port, mailbox}
 * and {@code [peer] nickname, announce_interval_secs, timeout_secs} and {@code [security]
 * require_encryption}. Every error names the file and the key.
 */
public final class ConfigFile {

  /** The file name looked up in the working directory and the user's config directory. */
  public static final String FILE_NAME = "parlance.toml";

  /** The largest config file read, in bytes: far more than any real one. */
  static final int MAX_FILE_BYTES = 64 * 1024;

  private static final String EXAMPLE_RESOURCE = "/io/parlance/client/config/parlance.toml";

  /**
   * The TOML reader, made when a file is first read: building it (Jackson introspecting the model)
   * took a tenth of a second of every start, with a config file or without.
   */
  private static final class Toml {
    static final ObjectReader READER =
        TomlMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .build()
            .readerFor(FileModel.class);

    private Toml() {}
  }

  private ConfigFile() {}

  record NetworkSection(
      @JsonProperty("mode") String mode,
      @JsonProperty("bootstrap_server")
          @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
          List<String> bootstrapServer,
      @JsonProperty("interface") String interfaceName,
      @JsonProperty("port") Integer port,
      @JsonProperty("mailbox") Boolean mailbox) {}

  record PeerSection(
      @JsonProperty("nickname") String nickname,
      @JsonProperty("announce_interval_secs") Integer announceIntervalSecs,
      @JsonProperty("timeout_secs") Integer timeoutSecs) {}

  record SecuritySection(@JsonProperty("require_encryption") Boolean requireEncryption) {}

  record LimitsSection(
      @JsonProperty("max_peers") Integer maxPeers,
      @JsonProperty("max_peers_per_ip") Integer maxPeersPerIp,
      @JsonProperty("max_connections") Integer maxConnections,
      @JsonProperty("max_connections_per_address") Integer maxConnectionsPerAddress) {}

  record FileModel(
      @JsonProperty("network") NetworkSection network,
      @JsonProperty("peer") PeerSection peer,
      @JsonProperty("security") SecuritySection security,
      @JsonProperty("limits") LimitsSection limits) {}

  /**
   * Reads and checks a config file.
   *
   * @param file the file
   * @return the settings it sets
   * @throws ConfigException naming the file, the key and what is wrong
   */
  public static Settings read(Path file) {
    byte[] content;
    try {
      long size = Files.size(file);
      if (size > MAX_FILE_BYTES) {
        throw new ConfigException(
            file + ": is " + size + " bytes, over the limit of " + MAX_FILE_BYTES + " bytes");
      }
      content = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new ConfigException(file + ": no such file");
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot read it: " + e.getMessage(), e);
    }
    return parse(file, content);
  }

  /**
   * Checks the content of a config file, as {@link #read(Path)} does once it has read it.
   *
   * @param file the file, named in errors
   * @param content what it holds
   * @return the settings it sets
   * @throws ConfigException naming the file, the key and what is wrong
   */
  static Settings parse(Path file, byte[] content) {
    if (content.length > MAX_FILE_BYTES) {
      throw new ConfigException(
          file
              + ": is "
              + content.length
              + " bytes, over the limit of "
              + MAX_FILE_BYTES
              + " bytes");
    }
    FileModel model;
    try {
      model = Toml.READER.readValue(content);
    } catch (JsonProcessingException e) {
      throw new ConfigException(file + ": " + describe(e), e);
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot read it: " + e.getMessage(), e);
    }
    if (model == null) {
      return Settings.EMPTY;
    }
    NetworkSection n =
        model.network() != null
            ? model.network()
            : new NetworkSection(null, null, null, null, null);
    PeerSection p = model.peer() != null ? model.peer() : new PeerSection(null, null, null);
    Mode mode = null;
    if (n.mode() != null) {
      try {
        mode = Mode.parse(n.mode());
      } catch (IllegalArgumentException e) {
        throw new ConfigException(file + ": key 'network.mode': " + e.getMessage());
      }
    }
    if (n.port() != null && (n.port() < 0 || n.port() > 65_535)) {
      throw new ConfigException(file + ": key 'network.port': " + n.port() + " is outside 0-65535");
    }
    if (n.interfaceName() != null && n.interfaceName().isBlank()) {
      throw new ConfigException(file + ": key 'network.interface': is empty");
    }
    limits(file, model);
    positive(file, "peer.announce_interval_secs", p.announceIntervalSecs());
    positive(file, "peer.timeout_secs", p.timeoutSecs());
    if (p.nickname() != null) {
      Optional<String> problem = Nickname.problem(p.nickname());
      if (problem.isPresent()) {
        throw new ConfigException(file + ": key 'peer.nickname': " + problem.get());
      }
    }
    return new Settings(
        p.nickname(),
        mode,
        n.bootstrapServer() == null ? null : String.join(",", n.bootstrapServer()),
        n.interfaceName(),
        n.port(),
        p.announceIntervalSecs(),
        p.timeoutSecs(),
        model.security() == null ? null : model.security().requireEncryption(),
        n.mailbox());
  }

  /**
   * Reads the {@code [limits]} section of a config file, checked as {@link #read} checks the rest.
   *
   * @param file the file
   * @return the limits it sets
   * @throws ConfigException naming the file, the key and what is wrong
   */
  public static LimitSettings readLimits(Path file) {
    read(file); // checks the whole file, the limits included
    try {
      return limits(file, Toml.READER.readValue(Files.readAllBytes(file)));
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot read it: " + e.getMessage(), e);
    }
  }

  private static LimitSettings limits(Path file, FileModel model) {
    LimitsSection l = model == null ? null : model.limits();
    if (l == null) {
      return LimitSettings.EMPTY;
    }
    positive(file, "limits.max_peers", l.maxPeers());
    positive(file, "limits.max_peers_per_ip", l.maxPeersPerIp());
    positive(file, "limits.max_connections", l.maxConnections());
    positive(file, "limits.max_connections_per_address", l.maxConnectionsPerAddress());
    return new LimitSettings(
        l.maxPeers(), l.maxPeersPerIp(), l.maxConnections(), l.maxConnectionsPerAddress());
  }

  private static void positive(Path file, String key, Integer value) {
    if (value != null && value < 1) {
      throw new ConfigException(file + ": key '" + key + "': must be at least 1, not " + value);
    }
  }

  private static String describe(JsonProcessingException e) {
    String message = firstLine(e.getOriginalMessage());
    if (e instanceof UnrecognizedPropertyException u) {
      return "unknown key '" + path(u) + "'";
    }
    if (e instanceof JsonMappingException m && !m.getPath().isEmpty()) {
      String key = path(m);
      if (message.contains("from String")
          || message.contains("from Integer")
          || message.contains("from Boolean")
          || message.contains("Cannot coerce")
          || message.contains("Cannot deserialize value of type")) {
        return "key '" + key + "': has the wrong type (" + expected(message) + ")";
      }
      return "key '" + key + "': " + message;
    }
    String where =
        e.getLocation() != null && e.getLocation().getLineNr() > 0
            ? "line " + e.getLocation().getLineNr() + ": "
            : "";
    return where + "not valid TOML: " + message;
  }

  private static String expected(String message) {
    if (message.contains("`java.lang.Integer`") || message.contains("`int`")) {
      return "expected a whole number";
    }
    if (message.contains("`java.lang.String`")) {
      return "expected a quoted string";
    }
    if (message.contains("`java.lang.Boolean`") || message.contains("`boolean`")) {
      return "expected true or false";
    }
    if (message.contains("NetworkSection") || message.contains("PeerSection")) {
      return "expected a table";
    }
    return message;
  }

  private static String path(JsonMappingException e) {
    return e.getPath().stream()
        .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
        .collect(Collectors.joining("."));
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  /**
   * Finds the config file: the given one, else {@code ./parlance.toml}, else {@code
   * parlance/parlance.toml} in the user's config directory.
   *
   * @param explicit the file given with {@code --config}, or null
   * @param workingDirectory the working directory
   * @param env the environment
   * @return the file, or empty if none exists (an explicit file is returned even if missing, so
   *     reading it reports the problem)
   */
  public static Optional<Path> locate(
      Path explicit, Path workingDirectory, Map<String, String> env) {
    if (explicit != null) {
      return Optional.of(explicit);
    }
    Path local = workingDirectory.resolve(FILE_NAME);
    if (Files.isRegularFile(local)) {
      return Optional.of(local);
    }
    Path user = userConfigDirectory(env).resolve("parlance").resolve(FILE_NAME);
    return Files.isRegularFile(user) ? Optional.of(user) : Optional.empty();
  }

  /**
   * Returns the user's config directory: {@code $XDG_CONFIG_HOME}, {@code %APPDATA%}, or {@code
   * ~/.config}.
   *
   * @param env the environment
   * @return the directory
   */
  public static Path userConfigDirectory(Map<String, String> env) {
    String xdg = env.get("XDG_CONFIG_HOME");
    if (xdg != null && !xdg.isBlank()) {
      return Path.of(xdg);
    }
    String appData = env.get("APPDATA");
    if (appData != null && !appData.isBlank()) {
      return Path.of(appData);
    }
    return Path.of(System.getProperty("user.home"), ".config");
  }

  /**
   * Returns the commented example config that ships with the client.
   *
   * @return its text
   */
  public static String example() {
    try (InputStream in = ConfigFile.class.getResourceAsStream(EXAMPLE_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("the example config is missing from the jar");
      }
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the example config: " + e.getMessage(), e);
    }
  }

  /**
   * Writes the example config to a new file.
   *
   * @param file where to write it
   * @throws ConfigException if the file exists or cannot be written
   */
  public static void writeExample(Path file) {
    if (Files.exists(file)) {
      throw new ConfigException(file + ": already exists; not overwriting it");
    }
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(file, example());
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot write it: " + e.getMessage(), e);
    }
  }
}
