package dev.drover.cli;

import java.time.Duration;

/** Durations given on the command line, in the configuration's syntax (30s, 2m, 500ms). */
final class Durations {
    private Durations() {}

    static Duration parse(String text) throws CliException {
        try {
            return dev.drover.config.Durations.parse(text);
        } catch (RuntimeException e) {
            throw new CliException(ExitCodes.USAGE, "expected a duration like 30s or 2m, got " + text);
        }
    }
}
