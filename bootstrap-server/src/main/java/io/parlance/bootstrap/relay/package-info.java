/**
 * The relay: pairs two registered peers with single-use tokens and forwards their opaque bytes
 * between two WebSockets, within the operator's limits; and the reachability probe.
 */
package io.parlance.bootstrap.relay;
