/**
 * Identities on the wire, with the JDK only: peer ids (key fingerprints) and Ed25519 signature
 * checks, shared by peers and the bootstrap server so both compute them the same way.
 */
package io.parlance.protocol.identity;
