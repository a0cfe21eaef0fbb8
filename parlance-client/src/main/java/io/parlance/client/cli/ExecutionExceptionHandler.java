package io.parlance.client.cli;

import io.parlance.client.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Turns a failure into one line on stderr, with no stack trace, and exit code 1 (2 for a bad
 * configuration, which is a usage error).
 */
final class ExecutionExceptionHandler implements IExecutionExceptionHandler {

  static final int FAILURE = 1;
  static final int USAGE = 2;

  @Override
  public int handleExecutionException(Exception e, CommandLine cmd, ParseResult parseResult) {
    cmd.getErr().println("parlance: " + TerminalText.inline(reason(e)));
    cmd.getErr().flush();
    return e instanceof ConfigException ? USAGE : FAILURE;
  }

  static String reason(Throwable e) {
    Throwable t = e;
    while (t.getMessage() == null && t.getCause() != null) {
      t = t.getCause();
    }
    return t.getMessage() != null ? t.getMessage() : t.toString();
  }
}
