/**
 * The discovery benchmark: fresh peers on the loopback interface, the time until they all list each
 * other, and the time until a departed peer disappears.
 */
package io.parlance.bench.discovery;
