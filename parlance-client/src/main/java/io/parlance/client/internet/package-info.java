/**
 * Internet mode: the WebSocket connector that registers this peer with a bootstrap server and
 * follows who is online there, reconnecting with backoff when the server goes away.
 */
package io.parlance.client.internet;
