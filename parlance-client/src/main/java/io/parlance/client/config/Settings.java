package io.parlance.client.config;

/**
 * One layer of client settings; a null field is not set in this layer. Layers combine with {@link
 * #overriddenBy(Settings)}: defaults, then the config file, then the environment, then flags.
 *
 * @param nickname our nickname
 * @param mode local or internet
 * @param bootstrapServer the bootstrap server's URL, for internet mode
 * @param interfaceName the discovery interface
 * @param port the TCP port, 0 for any
 * @param announceIntervalSecs how often to announce
 * @param timeoutSecs how long a silent peer is kept
 * @param requireEncryption whether plain peers are refused
 * @param mailbox whether the bootstrap server's mailbox is used (publish a mail key, fetch,
 *     deposit)
 */
public record Settings(
    String nickname,
    Mode mode,
    String bootstrapServer,
    String interfaceName,
    Integer port,
    Integer announceIntervalSecs,
    Integer timeoutSecs,
    Boolean requireEncryption,
    Boolean mailbox) {

  /** The default bootstrap server of the original Parlance configuration. */
  public static final String DEFAULT_BOOTSTRAP_SERVER = "ws://localhost:8080";

  /** A layer that sets nothing. */
  public static final Settings EMPTY =
      new Settings(null, null, null, null, null, null, null, null, null);

  /**
   * Creates a layer that leaves the mailbox as the lower layers set it.
   *
   * @param nickname our nickname
   * @param mode local or internet
   * @param bootstrapServer the bootstrap server's URL
   * @param interfaceName the discovery interface
   * @param port the TCP port
   * @param announceIntervalSecs how often to announce
   * @param timeoutSecs how long a silent peer is kept
   * @param requireEncryption whether plain peers are refused
   */
  public Settings(
      String nickname,
      Mode mode,
      String bootstrapServer,
      String interfaceName,
      Integer port,
      Integer announceIntervalSecs,
      Integer timeoutSecs,
      Boolean requireEncryption) {
    this(
        nickname,
        mode,
        bootstrapServer,
        interfaceName,
        port,
        announceIntervalSecs,
        timeoutSecs,
        requireEncryption,
        null);
  }

  /**
   * Creates a layer that leaves encryption as the lower layers set it.
   *
   * @param nickname our nickname
   * @param mode local or internet
   * @param bootstrapServer the bootstrap server's URL
   * @param interfaceName the discovery interface
   * @param port the TCP port
   * @param announceIntervalSecs how often to announce
   * @param timeoutSecs how long a silent peer is kept
   */
  public Settings(
      String nickname,
      Mode mode,
      String bootstrapServer,
      String interfaceName,
      Integer port,
      Integer announceIntervalSecs,
      Integer timeoutSecs) {
    this(
        nickname,
        mode,
        bootstrapServer,
        interfaceName,
        port,
        announceIntervalSecs,
        timeoutSecs,
        null,
        null);
  }

  /**
   * Returns the built-in defaults: local mode, any port, announce every 5 s, drop after 15 s, plain
   * peers allowed, the mailbox used.
   *
   * @return the defaults
   */
  public static Settings defaults() {
    return new Settings(null, Mode.LOCAL, DEFAULT_BOOTSTRAP_SERVER, null, 0, 5, 15, false, true);
  }

  /**
   * Returns these settings with every field that the other layer sets replaced by its value.
   *
   * @param higher the layer that wins
   * @return the combined settings
   */
  public Settings overriddenBy(Settings higher) {
    return new Settings(
        pick(higher.nickname, nickname),
        pick(higher.mode, mode),
        pick(higher.bootstrapServer, bootstrapServer),
        pick(higher.interfaceName, interfaceName),
        pick(higher.port, port),
        pick(higher.announceIntervalSecs, announceIntervalSecs),
        pick(higher.timeoutSecs, timeoutSecs),
        pick(higher.requireEncryption, requireEncryption),
        pick(higher.mailbox, mailbox));
  }

  private static <T> T pick(T higher, T lower) {
    return higher != null ? higher : lower;
  }
}
