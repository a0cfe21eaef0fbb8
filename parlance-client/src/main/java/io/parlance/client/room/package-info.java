/**
 * Rooms: a room's verified state, its ordered and de-duplicated log, votes and the sync that lets a
 * member catch up; pure logic, no I/O, no Netty (the node carries its lines and stores them).
 */
@NullMarked
package io.parlance.client.room;

import org.jspecify.annotations.NullMarked;
