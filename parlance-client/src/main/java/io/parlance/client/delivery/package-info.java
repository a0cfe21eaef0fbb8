/**
 * Reliable delivery: the on-disk outbox, one ordered sender per peer with a window of
 * unacknowledged messages, re-sends with backoff, and acknowledgements. Netty-free but for its
 * executors: it reaches peers through {@link io.parlance.client.messaging.PeerLink}s.
 */
@NullMarked
package io.parlance.client.delivery;

import org.jspecify.annotations.NullMarked;
