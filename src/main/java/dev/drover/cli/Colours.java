package dev.drover.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

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
        return (noColor == null || noColor.isEmpty()) && isTerminal(1);
    }

    /**
     * Whether descriptor {@code fd} of this process is a terminal, told by the device it names in
     * /proc rather than by isatty(3): the short commands then link no system call at all, which
     * saves them a third of their start-up (the JDK has no isatty of its own for one descriptor).
     */
    static boolean isTerminal(int fd) {
        try {
            return isTerminalDevice(
                    Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString());
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** Whether a device path names a terminal: a pseudo-terminal, a virtual or serial one, the console. */
    static boolean isTerminalDevice(String device) {
        return device.startsWith("/dev/pts/") || device.startsWith("/dev/tty") || device.equals("/dev/console");
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
