/** The per-profile SQLite store: message history, delivery state and the outbox. */
package io.parlance.client.store;
