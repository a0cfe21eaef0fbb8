/** A micro-measure of the message store: CPU time per message for each store operation. */
package io.parlance.bench.store;
