/** Identities, fingerprints, trust on first use and TLS between Parlance peers. */
package io.parlance.client.security;
