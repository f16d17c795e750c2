package dev.drover.engine;

import dev.drover.config.Command;
import dev.drover.config.Interpolation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns a configured command into the argument vector to spawn: a list runs as it is, a string
 * through {@code /bin/sh -c}. For a shell string, the program it starts is looked up first, so a
 * typo is reported as "command not found" at once instead of as exit 127 in a restart loop.
 */
final class CommandLine {
    private static final Set<String> SHELL_WORDS = Set.of(
            "if",
            "for",
            "while",
            "until",
            "case",
            "{",
            "(",
            "!",
            "[",
            "[[",
            "test",
            "echo",
            "printf",
            "read",
            "cd",
            "set",
            "export",
            "unset",
            "trap",
            "exit",
            "true",
            "false",
            ":",
            ".",
            "source",
            "eval",
            "wait",
            "sleep",
            "kill",
            "ulimit",
            "umask",
            "shift",
            "return",
            "local",
            "type",
            "command",
            "times",
            "getopts",
            "alias",
            "readonly",
            "pwd");
    private static final Pattern FIRST_WORD = Pattern.compile("^\\s*(?:exec\\s+)?([A-Za-z0-9_./+-]+)(?=\\s|$|;|&|\\|)");

    private CommandLine() {}

    /** Shell builtins with no program of the same name: a command starting with one needs a shell. */
    private static final Set<String> BUILTINS_ONLY = Set.of(
            "exit",
            "cd",
            "export",
            "set",
            "unset",
            "trap",
            "source",
            ".",
            "eval",
            "wait",
            "ulimit",
            "umask",
            "shift",
            "return",
            "local",
            "readonly",
            "alias",
            "getopts",
            "times",
            "type",
            "command",
            "read");

    static List<String> argv(Command command, Map<String, String> instanceVars) {
        if (command instanceof Command.Exec exec
                && BUILTINS_ONLY.contains(exec.argv().getFirst())) {
            String script = String.join(
                    " ", exec.argv().stream().map(CommandLine::quote).toList());
            return argv(new Command.Shell(script), instanceVars);
        }
        return switch (command) {
            // "exec prog args" written without shell syntax is split into words; exec is then implied.
            case Command.Exec exec ->
                exec.argv().stream()
                        .skip(exec.argv().size() > 1 && exec.argv().getFirst().equals("exec") ? 1 : 0)
                        .map(a -> Interpolation.expandInstance(a, instanceVars))
                        .toList();
            case Command.Shell shell ->
                List.of("/bin/sh", "-c", Interpolation.expandInstance(shell.script(), instanceVars));
        };
    }

    private static String quote(String word) {
        return word.matches("[A-Za-z0-9_./:=+-]+") ? word : "'" + word.replace("'", "'\\''") + "'";
    }

    /**
     * The argument vector with argv[0] looked up on the child's PATH once, so each (re)start
     * execs the program directly instead of trying every PATH entry; unchanged when not found
     * (the spawn then reports it).
     */
    static List<String> resolved(List<String> argv, Map<String, String> env, Path cwd) {
        String program = argv.getFirst();
        if (program.contains("/")) {
            return argv;
        }
        for (String dir :
                env.getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin").split(":")) {
            Path candidate = (dir.isEmpty() ? cwd : cwd.resolve(dir)).resolve(program);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                List<String> copy = new java.util.ArrayList<>(argv);
                copy.set(0, candidate.toString());
                return List.copyOf(copy);
            }
        }
        return argv;
    }

    /** For a shell string, why its program cannot run; null when it can (or cannot be told). */
    static String missingProgram(List<String> argv, Map<String, String> env, Path cwd) {
        if (argv.size() != 3 || !argv.get(0).equals("/bin/sh") || !argv.get(1).equals("-c")) {
            return null;
        }
        Matcher m = FIRST_WORD.matcher(argv.get(2));
        if (!m.find() || m.group(1).contains("=") || SHELL_WORDS.contains(m.group(1))) {
            return null;
        }
        String program = m.group(1);
        if (program.contains("/")) {
            Path path = cwd.resolve(program);
            if (!Files.exists(path)) {
                return "command not found: " + program;
            }
            return Files.isExecutable(path) ? null : "permission denied: " + program;
        }
        String searchPath = env.getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
        for (String dir : searchPath.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return null;
            }
        }
        return "command not found: " + program;
    }
}
