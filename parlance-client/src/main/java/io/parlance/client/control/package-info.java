/**
 * The control socket of a running daemon: a Unix domain socket speaking JSON lines, its client, and
 * the inbox of messages it keeps.
 */
package io.parlance.client.control;
