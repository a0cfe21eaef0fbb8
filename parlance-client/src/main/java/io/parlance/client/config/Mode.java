package io.parlance.client.config;

import java.util.Locale;

/** How peers find each other. */
public enum Mode {
  /** LAN multicast, no server. */
  LOCAL,
  /** Through a bootstrap server. */
  INTERNET,
  /** Both: LAN multicast and a bootstrap server, one peer list. */
  BOTH;

  /**
   * Parses {@code local}, {@code internet} or {@code both}, in any case.
   *
   * @param text the text
   * @return the mode
   * @throws IllegalArgumentException if it is neither
   */
  public static Mode parse(String text) {
    return switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "local" -> LOCAL;
      case "internet" -> INTERNET;
      case "both" -> BOTH;
      default ->
          throw new IllegalArgumentException(
              "'" + text + "' is not a mode; use 'local', 'internet' or 'both'");
    };
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
