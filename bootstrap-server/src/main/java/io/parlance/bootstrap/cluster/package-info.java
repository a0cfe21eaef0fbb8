/** Bootstrap servers sharing one registry, its nickname claims and its events through Redis. */
package io.parlance.bootstrap.cluster;
