package io.parlance.bench;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The {@code --name value} options of a measuring tool, each checked against a fixed set of names
 * and bounds, so a typo fails at once instead of running an unintended load.
 */
public final class Args {

  private final Map<String, String> values = new HashMap<>();

  private Args() {}

  /**
   * Parses {@code --name value} pairs.
   *
   * @param args the command line
   * @param known the names a tool accepts (without {@code --})
   * @return the options
   * @throws IllegalArgumentException on an unknown name or a name without a value
   */
  public static Args parse(String[] args, Set<String> known) {
    Args parsed = new Args();
    for (int i = 0; i < args.length; i += 2) {
      String name = args[i];
      if (!name.startsWith("--") || !known.contains(name.substring(2))) {
        throw new IllegalArgumentException(
            "unknown option '"
                + name
                + "'; known: --"
                + String.join(", --", known.stream().sorted().toList()));
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("option " + name + " needs a value");
      }
      parsed.values.put(name.substring(2), args[i + 1]);
    }
    return parsed;
  }

  /**
   * Returns a whole-number option within bounds.
   *
   * @param name the option
   * @param def its default
   * @param min the smallest value allowed
   * @param max the largest value allowed
   * @return the value
   * @throws IllegalArgumentException if it is not a number or out of bounds
   */
  public long number(String name, long def, long min, long max) {
    String text = values.get(name);
    long value;
    try {
      value = text == null ? def : Long.parseLong(text.replace("_", "").replace(",", ""));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--" + name + " must be a whole number: " + text, e);
    }
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          "--" + name + " must be between " + min + " and " + max + ": " + value);
    }
    return value;
  }

  /**
   * Returns a text option.
   *
   * @param name the option
   * @param def its default
   * @return the value
   */
  public String text(String name, String def) {
    return values.getOrDefault(name, def);
  }
}
