package dev.drover.cli;

import dev.drover.logs.Console;

/**
 * ANSI colours for what the CLI prints on a terminal: never into a pipe or a file, and never when
 * {@code NO_COLOR} is set to anything (no-color.org).
 */
final class Colours {
    static final String RESET = "\u001b[0m";
    static final String RED = "\u001b[31m";
    static final String GREEN = "\u001b[32m";
    static final String YELLOW = "\u001b[33m";
    static final String GREY = "\u001b[90m";

    private Colours() {}

    /** Whether standard output is a terminal that may get colours. */
    static boolean enabled() {
        String noColor = System.getenv("NO_COLOR");
        return (noColor == null || noColor.isEmpty()) && Console.isTerminalDevice(Console.device(1));
    }

    /** The colour of a state in `ps`. */
    static String state(String state) {
        return switch (state) {
            case "running" -> GREEN;
            case "starting", "backoff", "draining", "stopping" -> YELLOW;
            case "fatal" -> RED;
            default -> GREY;
        };
    }

    /** The colour of a health in `ps`. */
    static String health(String health) {
        return switch (health) {
            case "ready" -> GREEN;
            case "not_ready" -> RED;
            default -> GREY;
        };
    }
}
