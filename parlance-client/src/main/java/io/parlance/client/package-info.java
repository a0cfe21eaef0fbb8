/** The Parlance peer: discovery, messaging and the command-line front ends. */
package io.parlance.client;
