/** The command line: options, the interactive chat, the JSON-lines mode and logging set-up. */
package io.parlance.client.cli;
