package io.parlance.protocol.bootstrap;

/** One JSON text frame of the bootstrap protocol, in either direction. */
public sealed interface BootstrapFrame permits ClientFrame, ServerFrame {}
