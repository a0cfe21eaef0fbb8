/** The {@code bootstrap-server} command line. */
package io.parlance.bootstrap.cli;
