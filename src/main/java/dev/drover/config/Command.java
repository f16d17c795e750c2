package dev.drover.config;

import java.util.List;
import java.util.Objects;

/** What to run: an argv executed directly, or a script handed to {@code /bin/sh -c}. */
public sealed interface Command {

    /** Characters that only mean something to a shell; a string holding none can be run directly. */
    String SHELL_METACHARACTERS = "|&;<>()$`\\\"'*?[]#~=%{}\n";

    /** The command as a user would write it, for messages. */
    default String shown() {
        return switch (this) {
            case Exec exec -> String.join(" ", exec.argv());
            case Shell shell -> shell.script();
        };
    }

    /** A program and its arguments, run without a shell. */
    record Exec(List<String> argv) implements Command {
        public Exec {
            argv = List.copyOf(argv);
        }
    }

    /** A script run as {@code /bin/sh -c script}. */
    record Shell(String script) implements Command {
        public Shell {
            Objects.requireNonNull(script, "script");
        }
    }

    /**
     * Reads a command written as one string: split on whitespace into an {@link Exec} when no
     * shell would treat any character specially, otherwise a {@link Shell}. The instance
     * placeholders ({@code ${PORT}} and friends) do not force a shell: the engine substitutes
     * them into the argv itself, which saves a process and keeps signals going straight to the
     * program.
     *
     * @throws IllegalArgumentException when the string is blank
     */
    static Command fromString(String command) {
        String stripped = command.strip();
        if (stripped.isEmpty()) {
            throw new IllegalArgumentException("missing command");
        }
        String rest = stripped;
        for (String variable : Interpolation.INSTANCE_VARIABLES) {
            rest = rest.replace("${" + variable + "}", "");
        }
        boolean needsShell = rest.chars().anyMatch(c -> SHELL_METACHARACTERS.indexOf(c) >= 0);
        return needsShell ? new Shell(command) : new Exec(List.of(stripped.split("\\s+")));
    }
}
