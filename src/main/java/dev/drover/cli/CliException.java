package dev.drover.cli;

/** An expected failure of a command, carrying the exit status that only {@link Main} applies. */
final class CliException extends Exception {
    private final int exitCode;

    CliException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }
}
