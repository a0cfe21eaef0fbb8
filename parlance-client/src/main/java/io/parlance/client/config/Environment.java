package io.parlance.client.config;

import java.util.Map;

/**
 * Reads settings from environment variables: {@code PARLANCE_NICKNAME}, {@code PARLANCE_MODE},
 * {@code PARLANCE_BOOTSTRAP_SERVER}, {@code PARLANCE_INTERFACE}, {@code PARLANCE_PORT}.
 */
public final class Environment {

  private Environment() {}

  /**
   * Returns the settings the environment sets.
   *
   * @param env the environment
   * @return the settings
   * @throws ConfigException naming the variable if a value is invalid
   */
  public static Settings read(Map<String, String> env) {
    Mode mode = null;
    String modeText = value(env, "PARLANCE_MODE");
    if (modeText != null) {
      try {
        mode = Mode.parse(modeText);
      } catch (IllegalArgumentException e) {
        throw new ConfigException("environment variable PARLANCE_MODE: " + e.getMessage());
      }
    }
    Integer port = null;
    String portText = value(env, "PARLANCE_PORT");
    if (portText != null) {
      try {
        port = Integer.parseInt(portText.trim());
      } catch (NumberFormatException e) {
        throw new ConfigException(
            "environment variable PARLANCE_PORT: '" + portText + "' is not a number");
      }
      if (port < 0 || port > 65_535) {
        throw new ConfigException(
            "environment variable PARLANCE_PORT: " + port + " is outside 0-65535");
      }
    }
    return new Settings(
        value(env, "PARLANCE_NICKNAME"),
        mode,
        value(env, "PARLANCE_BOOTSTRAP_SERVER"),
        value(env, "PARLANCE_INTERFACE"),
        port,
        null,
        null,
        flag(env, "PARLANCE_REQUIRE_ENCRYPTION"),
        flag(env, "PARLANCE_MAILBOX"));
  }

  private static Boolean flag(Map<String, String> env, String name) {
    String text = value(env, name);
    if (text == null) {
      return null;
    }
    return switch (text.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "1", "true", "yes", "on" -> true;
      case "0", "false", "no", "off" -> false;
      default ->
          throw new ConfigException(
              "environment variable " + name + ": '" + text + "' is not true or false");
    };
  }

  private static String value(Map<String, String> env, String name) {
    String v = env.get(name);
    return v == null || v.isEmpty() ? null : v;
  }
}
