/**
 * Netty codecs shared by peer and server pipelines: line framing, chat lines, discovery datagrams.
 */
package io.parlance.protocol.codec;
