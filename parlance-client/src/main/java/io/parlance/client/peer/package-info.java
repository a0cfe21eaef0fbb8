/** The directory of known peers, fed by any discovery source (LAN multicast, bootstrap server). */
package io.parlance.client.peer;
