package dev.drover.logs;

import java.nio.charset.StandardCharsets;

/** One line of a process's log: when it arrived, where from, and its bytes without the newline. */
public record LogLine(long timeMillis, Source source, byte[] bytes) {
    /** Where a line came from. */
    public enum Source {
        STDOUT,
        STDERR,
        /** Drover's own event about the process. */
        DROVER
    }

    public String text() {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
