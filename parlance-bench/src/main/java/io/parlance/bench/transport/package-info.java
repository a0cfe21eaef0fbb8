/** The connection layer alone, plain against TLS: throughput and connection set-up. */
package io.parlance.bench.transport;
