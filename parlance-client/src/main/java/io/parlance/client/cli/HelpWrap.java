package io.parlance.client.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.IHelpSectionRenderer;
import picocli.CommandLine.Model.UsageMessageSpec;

/**
 * Fits {@code --help} to the terminal's width by breaking lines only between words: picocli is
 * asked for its help unwrapped (one line per row) and each row is wrapped here, so no token (a
 * flag, a URL, a path) is ever cut in two and a terminal narrower than picocli's minimum of 55
 * columns gets rows that fit it. A two-column row (an option and its description) keeps its columns
 * while the description has room; in a narrow terminal the description goes under the option,
 * indented.
 */
final class HelpWrap {

  /** The width help is laid out for when the terminal's width is unknown (a pipe, a file). */
  static final int DEFAULT_WIDTH = 80;

  /** The narrowest width laid out; below it rows are still broken between words only. */
  static final int MINIMUM_WIDTH = 20;

  /** A description column is kept only if at least this many columns are left for it. */
  private static final int MINIMUM_DESCRIPTION = 24;

  /** Where a description goes when its column leaves it too little room. */
  private static final int NARROW_INDENT = 8;

  /** Wide enough that picocli wraps no row of its own. */
  private static final int UNWRAPPED = 10_000;

  private static final Pattern ANSI = Pattern.compile("\u001B\\[[0-9;]*m");

  /** The row's indentation, its first column, the gap of 2+ spaces, and the rest. */
  private static final Pattern TWO_COLUMNS =
      Pattern.compile("^( *)(\\S(?:.*?\\S)?)( {2,})(\\S.*)$");

  private static final Pattern INDENT = Pattern.compile("^( *)(.*)$");

  private HelpWrap() {}

  /**
   * Makes every command's help (this one's and its subcommands') wrap between words at the width.
   *
   * @param cmd the command line
   * @param width the terminal's width in columns, asked for only when help is shown (finding it may
   *     run {@code stty}, which a start must not wait for)
   */
  static void install(CommandLine cmd, IntSupplier width) {
    cmd.getCommandSpec().usageMessage().autoWidth(false).width(UNWRAPPED);
    Map<String, IHelpSectionRenderer> sections = cmd.getHelpSectionMap();
    // The synopsis is wrapped with its heading ("Usage: "), so that its rows line up after it.
    IHelpSectionRenderer heading = sections.get(UsageMessageSpec.SECTION_KEY_SYNOPSIS_HEADING);
    IHelpSectionRenderer synopsis = sections.get(UsageMessageSpec.SECTION_KEY_SYNOPSIS);
    if (heading != null && synopsis != null) {
      sections.put(UsageMessageSpec.SECTION_KEY_SYNOPSIS_HEADING, help -> "");
      sections.put(
          UsageMessageSpec.SECTION_KEY_SYNOPSIS,
          help -> heading.render(help) + synopsis.render(help));
    }
    for (Map.Entry<String, IHelpSectionRenderer> section : sections.entrySet()) {
      IHelpSectionRenderer original = section.getValue();
      section.setValue(
          help -> wrap(original.render(help), Math.max(MINIMUM_WIDTH, width.getAsInt())));
    }
    cmd.setHelpSectionMap(sections);
    for (CommandLine sub : cmd.getSubcommands().values()) {
      install(sub, width);
    }
  }

  /**
   * Wraps text between words so that no row is wider than the width, unless one word alone is.
   *
   * @param text rows, each ending in a line break
   * @param width the columns available
   * @return the wrapped rows
   */
  static String wrap(String text, int width) {
    StringBuilder out = new StringBuilder(text.length() + 64);
    String[] rows = text.split("\r?\n", -1);
    for (int i = 0; i < rows.length; i++) {
      wrapRow(rows[i], width, out);
      if (i < rows.length - 1) {
        out.append(System.lineSeparator());
      }
    }
    return out.toString();
  }

  private static void wrapRow(String row, int width, StringBuilder out) {
    if (visible(row) <= width) {
      out.append(row);
      return;
    }
    Matcher columns = TWO_COLUMNS.matcher(row);
    if (columns.matches()) {
      String first = columns.group(1) + columns.group(2);
      int column = visible(first) + columns.group(3).length();
      if (width - column >= MINIMUM_DESCRIPTION) {
        fill(first + columns.group(3), words(columns.group(4)), column, width, out);
      } else {
        fill(" ".repeat(indentOf(first)), words(first), NARROW_INDENT, width, out);
        out.append(System.lineSeparator());
        String indent = " ".repeat(NARROW_INDENT);
        fill(indent, words(columns.group(4)), indent.length(), width, out);
      }
      return;
    }
    Matcher plain = INDENT.matcher(row);
    plain.matches();
    int indent = plain.group(1).length();
    if (width - indent < MINIMUM_DESCRIPTION) {
      indent = Math.min(indent, NARROW_INDENT);
    }
    String lead = " ".repeat(indent);
    List<String> words = words(plain.group(2));
    int hanging = indent;
    if (plain.group(2).startsWith("Usage:") && words.size() > 2) {
      // The synopsis: later rows line up after "Usage: name ", as picocli does it.
      hanging = indent + visible(words.get(0)) + 1 + visible(words.get(1)) + 1;
    }
    if (width - hanging < MINIMUM_DESCRIPTION) {
      hanging = Math.min(hanging, indent + 4);
    }
    fill(lead, words, hanging, width, out);
  }

  /** Lays out words after the lead, rows after the first indented by hanging columns. */
  private static void fill(
      String lead, List<String> words, int hanging, int width, StringBuilder out) {
    StringBuilder row = new StringBuilder(lead);
    int used = visible(lead);
    boolean empty = true;
    for (String word : words) {
      int length = visible(word);
      if (!empty && used + 1 + length > width) {
        out.append(row).append(System.lineSeparator());
        // A word too long for the hanging indent starts near the left edge rather than overflowing.
        int indent = hanging + length <= width ? hanging : Math.max(0, Math.min(4, width - length));
        row = new StringBuilder(" ".repeat(indent));
        used = indent;
        empty = true;
      }
      if (!empty) {
        row.append(' ');
        used++;
      }
      row.append(word);
      used += length;
      empty = false;
    }
    out.append(row);
  }

  private static List<String> words(String text) {
    List<String> words = new ArrayList<>();
    for (String word : text.split(" +")) {
      if (!word.isEmpty()) {
        words.add(word);
      }
    }
    return words;
  }

  private static int indentOf(String text) {
    int i = 0;
    while (i < text.length() && text.charAt(i) == ' ') {
      i++;
    }
    return i;
  }

  /** Columns a text takes on a terminal: its characters without colour codes. */
  static int visible(String text) {
    String plain = ANSI.matcher(text).replaceAll("");
    return plain.codePointCount(0, plain.length());
  }

  /**
   * The terminal's width: {@code $COLUMNS} if the shell exported it, else what {@code stty} says of
   * the controlling terminal (so help piped to a pager fits too), else {@link #DEFAULT_WIDTH}.
   *
   * @param environment the process environment
   * @return columns
   */
  static int terminalWidth(Map<String, String> environment) {
    String columns = environment.get("COLUMNS");
    if (columns != null && columns.matches("[0-9]{1,4}") && Integer.parseInt(columns) > 0) {
      return Integer.parseInt(columns);
    }
    // The controlling terminal, not stdout: help piped to a pager still fits the terminal.
    if (!Files.isReadable(Path.of("/dev/tty"))) {
      return DEFAULT_WIDTH;
    }
    try {
      Process stty =
          new ProcessBuilder("stty", "size")
              .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/tty").toFile()))
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (!stty.waitFor(2, TimeUnit.SECONDS)) {
        stty.destroy();
        return DEFAULT_WIDTH;
      }
      try (InputStream in = stty.getInputStream()) {
        String[] size = new String(in.readNBytes(64), StandardCharsets.US_ASCII).trim().split(" ");
        if (size.length == 2 && size[1].matches("[0-9]{1,4}") && Integer.parseInt(size[1]) > 0) {
          return Integer.parseInt(size[1]);
        }
      }
    } catch (IOException e) {
      return DEFAULT_WIDTH;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return DEFAULT_WIDTH;
  }
}
