package io.parlance.client.cli;

import java.io.PrintWriter;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/** The {@code parlance} program. */
public final class Main {

  private Main() {}

  /**
   * The names and aliases of {@link ParlanceCommand#SUBCOMMANDS}, and {@code help}: written out, as
   * reading them from the subcommands' annotations cost a start about 30 ms (MainTest checks that
   * they are the annotations' names).
   */
  static final Set<String> SUBCOMMAND_NAMES =
      Set.of("help", "daemon", "send", "peers", "inbox", "room", "history", "search", "id");

  private static final String PROVIDER = "slf4j.provider";
  private static final String SLF4J_VERBOSITY = "slf4j.internal.verbosity";

  /**
   * Runs the command line and exits with its code.
   *
   * @param args the arguments
   */
  @SuppressWarnings("checkstyle:regexp")
  public static void main(String[] args) {
    useStartLogging();
    System.exit(run(args, null));
  }

  /**
   * Names {@link StartLoggingProvider} as SLF4J's provider (unless one is named already), before
   * anything logs; and keeps SLF4J's own note that it loaded the provider so named off stderr.
   */
  static void useStartLogging() {
    if (System.getProperty(PROVIDER) == null) {
      System.setProperty(PROVIDER, StartLoggingProvider.class.getName());
      if (System.getProperty(SLF4J_VERBOSITY) == null) {
        System.setProperty(SLF4J_VERBOSITY, "WARN");
      }
    }
  }

  /**
   * Runs the command line. A plain start ({@code parlance --nickname alice ...}: no subcommand, no
   * help) is parsed by a command line without the subcommands, whose models picocli would otherwise
   * build by reflection at every start (a large part of the time to a ready chat); anything that
   * may name one, asks for help, or does not parse there goes to the whole command line, which then
   * answers exactly as it always did (its help lists the subcommands, its errors suggest them).
   *
   * @param args the arguments
   * @param err where usage errors go, or null for stderr
   * @return the exit code
   */
  static int run(String[] args, PrintWriter err) {
    if (mayNeedTheSubcommands(args)) {
      return whole(err).execute(args);
    }
    WarmUp.begin();
    // The chat's terminal opens beside the parsing too, when there will surely be one.
    Terminals.Opening terminal =
        err == null && opensATerminal(args) ? Terminals.Opening.begin() : null;
    try {
      return plainStart(args, err, terminal);
    } finally {
      if (terminal != null) {
        terminal.close();
      }
    }
  }

  private static int plainStart(String[] args, PrintWriter err, Terminals.Opening terminal) {
    ParlanceCommand command = new ParlanceCommand();
    command.terminal = terminal;
    CommandLine plain = commandLine(command, false);
    if (err != null) {
      plain.setErr(err);
    }
    IParameterExceptionHandler usage = plain.getParameterExceptionHandler();
    // A usage error of the chat itself (its call has begun) is answered as always; only what did
    // not parse goes to the whole command line.
    plain.setParameterExceptionHandler(
        (ex, again) ->
            command.called ? usage.handleParseException(ex, again) : whole(err).execute(again));
    return plain.execute(args);
  }

  /** A chat on a terminal (not --json), which is where {@link Terminals#open} opens one. */
  private static boolean opensATerminal(String[] args) {
    for (String arg : args) {
      if (arg.startsWith("--json")) {
        return false;
      }
    }
    return System.console() != null;
  }

  private static CommandLine whole(PrintWriter err) {
    CommandLine cmd = commandLine(new ParlanceCommand());
    if (err != null) {
      cmd.setErr(err);
    }
    return cmd;
  }

  /**
   * Tells whether the arguments may name a subcommand or ask for help or the version: then the
   * whole command line parses them. Errs on the side of yes (a nickname such as {@code peers} also
   * says yes, which costs only time).
   *
   * @param args the arguments
   * @return false only for a start that surely names no subcommand and asks for no help
   */
  static boolean mayNeedTheSubcommands(String[] args) {
    for (String arg : args) {
      if (SUBCOMMAND_NAMES.contains(arg)
          || arg.equals("--help")
          || arg.equals("--version")
          || arg.startsWith("@") // an argument file, which may hold anything
          || (arg.startsWith("-")
              && !arg.startsWith("--")
              && (arg.indexOf('h') >= 0 || arg.indexOf('V') >= 0))) {
        return true;
      }
    }
    return false;
  }

  /**
   * Builds the command line with its error handling: one line and exit 2 for usage errors, one line
   * and exit 1 for failures.
   *
   * @param command the command object
   * @return the command line
   */
  static CommandLine commandLine(ParlanceCommand command) {
    return commandLine(command, true);
  }

  private static CommandLine commandLine(ParlanceCommand command, boolean subcommands) {
    CommandLine cmd = new CommandLine(command);
    if (subcommands) {
      for (Class<?> sub : ParlanceCommand.SUBCOMMANDS) {
        cmd.addSubcommand(sub);
      }
      // Room, proposal and message ids are base64url and one in 64 starts with '-': the room
      // commands take such an argument as the id it is, not as an unknown option.
      CommandLine room = cmd.getSubcommands().get("room");
      if (room != null) {
        room.setUnmatchedOptionsArePositionalParams(true);
      }
    }
    // One line per chat command, as /help shows them, so no command is cut in two or left out.
    cmd.getCommandSpec()
        .usageMessage()
        .footerHeading("%nCommands in the chat:%n")
        .footer(Command.HELP.stream().map(line -> "  " + line).toArray(String[]::new));
    // Help fits the terminal, broken between words only; its width is found when help is shown.
    int[] width = {0};
    HelpWrap.install(
        cmd,
        () -> {
          if (width[0] == 0) {
            width[0] = HelpWrap.terminalWidth(command.environment);
          }
          return width[0];
        });
    cmd.setExecutionStrategy(
        parseResult -> {
          carryOptionsToTheSubcommand(parseResult);
          return new CommandLine.RunLast().execute(parseResult);
        });
    cmd.setExecutionExceptionHandler(new ExecutionExceptionHandler());
    cmd.setParameterExceptionHandler(
        (ex, args) -> {
          CommandLine c = ex.getCommandLine();
          c.getErr().println("parlance: " + ex.getMessage());
          c.getErr()
              .println("Try '" + c.getCommandSpec().qualifiedName() + " --help' for the options.");
          c.getErr().flush();
          return ExecutionExceptionHandler.USAGE;
        });
    return cmd;
  }

  /**
   * Lets the options a subcommand shares with {@code parlance} (such as {@code --profile}, {@code
   * --json}) go before its name too: {@code parlance --profile ivy peers} is {@code parlance peers
   * --profile ivy}, the value after the name winning. An option the subcommand does not have is
   * refused, so it is never silently ignored.
   *
   * @param root what was parsed
   * @throws ParameterException naming an option given before a subcommand that does not take it
   */
  static void carryOptionsToTheSubcommand(ParseResult root) {
    if (!root.hasSubcommand()) {
      return;
    }
    ParseResult last = root;
    while (last.hasSubcommand()) {
      last = last.subcommand();
    }
    CommandSpec sub = last.commandSpec();
    for (OptionSpec option : root.matchedOptions()) {
      if (option.usageHelp() || option.versionHelp()) {
        continue;
      }
      OptionSpec target = sub.findOption(option.longestName());
      if (target == null) {
        throw new ParameterException(
            root.commandSpec().commandLine(),
            option.longestName()
                + " does not apply to '"
                + sub.qualifiedName()
                + "' (see '"
                + sub.qualifiedName()
                + " --help' for its options)");
      }
      if (!last.hasMatchedOption(target)) {
        target.setValue(option.getValue());
      }
    }
  }
}
