package io.parlance.client.cli;

import picocli.CommandLine;

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
}
