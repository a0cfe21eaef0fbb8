/** The registry of online peers behind a small interface, and its in-memory implementation. */
package io.parlance.bootstrap.registry;
