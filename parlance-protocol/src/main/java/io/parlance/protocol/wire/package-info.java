/** Wire messages as records behind sealed interfaces: discovery datagrams and chat lines. */
package io.parlance.protocol.wire;
