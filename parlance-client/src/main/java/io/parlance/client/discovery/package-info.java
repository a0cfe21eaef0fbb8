/**
 * LAN discovery: announce and goodbye datagrams on the multicast group, and the peers they reveal.
 */
package io.parlance.client.discovery;
