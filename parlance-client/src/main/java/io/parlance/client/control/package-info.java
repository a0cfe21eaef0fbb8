/**
 * The control socket of a running daemon: a Unix domain socket speaking JSON lines, served on
 * Netty's native transport (server, initializer, handler), its blocking client, and the inbox of
 * messages it keeps.
 */
package io.parlance.client.control;
