package dev.drover.cli;

import dev.drover.control.ControlException;
import dev.drover.control.ExecContext;
import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * `drover exec NAME -- CMD…`: runs a command the way the daemon runs NAME — its environment with
 * its {@code PORT}, its directory, its user and umask — attached to this terminal, and exits with
 * the command's status.
 */
final class ExecCommand implements Command {
    /** What a shell exits with when the command is not found, and when it cannot be run. */
    private static final int NOT_FOUND = 127;

    private static final int CANNOT_RUN = 126;

    @Override
    public String name() {
        return "exec";
    }

    @Override
    public String summary() {
        return "run a command with a process's environment, directory and user (drover exec NAME -- CMD…)";
    }

    @Override
    public String usage() {
        return """
                Usage: drover exec [-f FILE] [--runtime-dir DIR] NAME -- CMD [ARG…]

                Runs CMD with the environment NAME runs with ($PORT, env, env_file and the
                variables Drover sets), in its working directory, as its user with its umask
                when it has them, attached to this terminal: a REPL, a migration, a one-off
                check. NAME is a process (its first instance) or one instance (api.1); the
                daemon must be running (it knows the ports it gave). The exit status is CMD's
                (128+N when a signal N ended it; 127 when CMD is not found, 126 when it cannot
                be run).
                """;
    }

    @Override
    public int run(List<String> args) throws CliException {
        int dashes = args.indexOf("--");
        if (dashes < 0 || dashes == args.size() - 1) {
            throw new CliException(ExitCodes.USAGE, "exec needs NAME -- CMD…; see `drover help exec`");
        }
        Arguments arguments = Arguments.parse(name(), args.subList(0, dashes), Set.of());
        if (arguments.names.size() != 1) {
            throw new CliException(ExitCodes.USAGE, "exec needs exactly one NAME before --; see `drover help exec`");
        }
        List<String> command = args.subList(dashes + 1, args.size());
        ExecContext context;
        try {
            context = Daemons.connect(arguments).execContext(arguments.names.getFirst());
        } catch (ControlException e) {
            throw Daemons.failure(e, arguments);
        }
        List<String> argv = new ArrayList<>(context.prefix());
        argv.addAll(command);
        ProcessBuilder builder =
                new ProcessBuilder(argv).directory(new File(context.cwd())).inheritIO();
        builder.environment().clear();
        builder.environment().putAll(context.env());
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            // As a shell (and setpriv, for a process with a user) says it: 127 for no such program,
            // 126 for one that cannot be run.
            boolean notFound = !exists(command.getFirst(), context.env(), context.cwd());
            throw new CliException(
                    notFound ? NOT_FOUND : CANNOT_RUN, "cannot run " + command.getFirst() + ": " + e.getMessage());
        }
        // Ctrl-C reaches the command (the terminal's whole foreground group gets it); this JVM waits
        // for the command to decide what to do with it rather than exiting under it.
        ignoreInterrupts();
        while (true) {
            try {
                return process.waitFor();
            } catch (InterruptedException e) {
                // keep waiting: the command owns the terminal
            }
        }
    }

    /** Whether {@code program} is there: a path as given (from {@code cwd}), a bare name on a PATH. */
    private static boolean exists(String program, java.util.Map<String, String> env, String cwd) {
        if (program.contains("/")) {
            return java.nio.file.Files.exists(java.nio.file.Path.of(cwd).resolve(program));
        }
        // Its PATH, and this JVM's, which the JDK looks a bare name up on.
        String path = env.getOrDefault("PATH", "") + ":" + System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && java.nio.file.Files.exists(java.nio.file.Path.of(dir, program))) {
                return true;
            }
        }
        return false;
    }

    private static void ignoreInterrupts() {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("INT"), signal -> {});
        } catch (IllegalArgumentException e) {
            // no such signal here: nothing to ignore
        }
    }
}
