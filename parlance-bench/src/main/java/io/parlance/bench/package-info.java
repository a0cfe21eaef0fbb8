/** Benchmarks and load tools for Parlance; run by hand, never as timed tests. */
package io.parlance.bench;
