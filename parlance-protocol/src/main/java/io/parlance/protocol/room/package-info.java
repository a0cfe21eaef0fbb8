/**
 * Room wire types: the signed, versioned room state, signed room messages, proposals and votes, and
 * the lines that carry them between members; each checks its own bounds and signatures.
 */
package io.parlance.protocol.room;
