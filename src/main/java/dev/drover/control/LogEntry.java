package dev.drover.control;

/** One log line: when (epoch ms), of which process, from which stream (stdout, stderr, drover). */
public record LogEntry(long time, String process, String stream, String line) {}
