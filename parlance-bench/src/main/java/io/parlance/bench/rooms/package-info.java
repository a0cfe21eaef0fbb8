/** Room benchmarks: real nodes on loopback in one process, a room among them. */
package io.parlance.bench.rooms;
