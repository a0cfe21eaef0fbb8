package io.parlance.protocol.bootstrap;

/**
 * One JSON text frame of the bootstrap protocol, in either direction, in our dialect ({@link
 * ClientFrame}, {@link ServerFrame}) or the Rust Parlance's ({@link RustClientFrame}, {@link
 * RustServerFrame}).
 */
public sealed interface BootstrapFrame
    permits ClientFrame, ServerFrame, RustClientFrame, RustServerFrame {}
