/** JMH benchmarks of the wire codecs: encode and decode of announces and chat lines. */
package io.parlance.bench.codec;
