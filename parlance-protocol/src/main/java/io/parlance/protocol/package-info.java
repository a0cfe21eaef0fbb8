/** The Parlance wire protocol: limits, validation and the typed errors every codec reports. */
package io.parlance.protocol;
