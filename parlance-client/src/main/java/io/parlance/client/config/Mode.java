package io.parlance.client.config;

import java.util.Locale;

/** How peers find each other. */
public enum Mode {
  /** LAN multicast, no server. */
  LOCAL,
  /** Through a bootstrap server. */
  INTERNET;

  /**
   * Parses {@code local} or {@code internet}, in any case.
   *
   * @param text the text
   * @return the mode
   * @throws IllegalArgumentException if it is neither
   */
  public static Mode parse(String text) {
    return switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "local" -> LOCAL;
      case "internet" -> INTERNET;
      default ->
          throw new IllegalArgumentException(
              "'" + text + "' is not a mode; use 'local' or 'internet'");
    };
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
