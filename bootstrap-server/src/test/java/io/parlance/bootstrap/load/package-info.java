/** A bounded, self-stopping load tool for the bootstrap server, loopback only. */
package io.parlance.bootstrap.load;
