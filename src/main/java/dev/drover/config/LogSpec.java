package dev.drover.config;

/**
 * How a process's log file is kept: rotated past {@code maxSize} bytes, {@code keep} old files
 * retained, each line prefixed with a timestamp when {@code timestamps} is set.
 *
 * @param file the process's own log file ({@code log_file}: absolute, may hold {@code
 *     ${DROVER_REPLICA}}), or null for {@code log_dir/NAME.log}
 * @param echo each line also goes to the daemon's standard output, prefixed with the process's
 *     name ({@code output: stdout}, or {@code journal}: under systemd that output is the journal)
 */
public record LogSpec(long maxSize, int keep, boolean timestamps, String file, boolean echo) {
    public LogSpec(long maxSize, int keep, boolean timestamps) {
        this(maxSize, keep, timestamps, null, false);
    }

    /** This spec with the process-level keys {@code log_file} and {@code output} applied. */
    public LogSpec placed(String file, boolean echo) {
        return new LogSpec(maxSize, keep, timestamps, file, echo);
    }
}
