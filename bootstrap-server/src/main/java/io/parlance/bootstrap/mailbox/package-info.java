/**
 * The sealed mailbox: messages for offline peers, kept as opaque bytes behind the {@link
 * io.parlance.bootstrap.mailbox.Mailbox} interface, with its embedded SQLite store.
 */
package io.parlance.bootstrap.mailbox;
