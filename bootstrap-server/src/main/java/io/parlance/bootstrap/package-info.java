/** The bootstrap server: a WebSocket registry of online peers. */
package io.parlance.bootstrap;
