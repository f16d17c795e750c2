package dev.drover.cli;

/** The exit statuses of every command: a documented contract (docs/cli.md). */
final class ExitCodes {
    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;
    static final int NO_DAEMON = 3;

    private ExitCodes() {}
}
