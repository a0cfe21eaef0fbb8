/**
 * The one bounded, strict Jackson configuration every codec uses, byte-compatible with serde_json.
 */
package io.parlance.protocol.json;
