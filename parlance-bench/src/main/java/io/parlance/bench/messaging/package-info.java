/**
 * The messaging benchmark: one peer sends N messages to another over loopback, in a pluggable
 * {@link io.parlance.bench.messaging.Mode}, at full speed or at a fixed rate.
 */
package io.parlance.bench.messaging;
