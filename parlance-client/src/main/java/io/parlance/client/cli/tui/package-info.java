/**
 * The full-screen chat's model: conversations with their scrollback and unread counts, the status
 * line, the input line with its history and completion, and the layout of the screen as rows of
 * text. Pure Java with no terminal, so every part is unit-tested; {@code cli.FullScreenMode} reads
 * the keys and draws the rows with JLine.
 */
package io.parlance.client.cli.tui;
