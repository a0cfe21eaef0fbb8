/**
 * The bootstrap-server protocol (internet mode): JSON text frames over a WebSocket, as records
 * behind the sealed {@link io.parlance.protocol.bootstrap.ClientFrame} and {@link
 * io.parlance.protocol.bootstrap.ServerFrame}, with their codec.
 */
package io.parlance.protocol.bootstrap;
