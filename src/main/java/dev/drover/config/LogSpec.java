package dev.drover.config;

/**
 * How a process's log file is kept: rotated past {@code maxSize} bytes, {@code keep} old files
 * retained, each line prefixed with a timestamp when {@code timestamps} is set.
 */
public record LogSpec(long maxSize, int keep, boolean timestamps) {}
