/**
 * Reliable delivery: the on-disk outbox, one ordered sender per peer with a window of
 * unacknowledged messages, re-sends with backoff, and acknowledgements.
 */
package io.parlance.client.delivery;
