package io.parlance.client.cli;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/** The {@code parlance} program. */
public final class Main {

  private Main() {}

  /**
   * Runs the command line and exits with its code.
   *
   * @param args the arguments
   */
  @SuppressWarnings("checkstyle:regexp")
  public static void main(String[] args) {
    System.exit(commandLine(new ParlanceCommand()).execute(args));
  }

  /**
   * Builds the command line with its error handling: one line and exit 2 for usage errors, one line
   * and exit 1 for failures.
   *
   * @param command the command object
   * @return the command line
   */
  static CommandLine commandLine(ParlanceCommand command) {
    CommandLine cmd = new CommandLine(command);
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
