/**
 * Mail for peers that are away: sealed deposits in the bootstrap server's mailbox, and fetching.
 */
package io.parlance.client.mailbox;
