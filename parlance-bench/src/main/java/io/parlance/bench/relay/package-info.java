/** The relay through the bootstrap server: sessions, memory, and real chat relayed and direct. */
package io.parlance.bench.relay;
