/** Messaging over TCP: the listener for chat lines and the pool of outgoing connections. */
package io.parlance.client.messaging;
