package dev.drover.cli;

import dev.drover.config.DroverConfig;
import dev.drover.daemon.Face;
import dev.drover.logs.Console;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/** `drover up`: runs the processes in the foreground until Ctrl-C or SIGTERM. */
final class UpCommand implements Command {
    static final String NO_PRE_START = "--no-pre-start";

    @Override
    public String name() {
        return "up";
    }

    @Override
    public String summary() {
        return "start the processes (all, or NAME… and their dependencies) in the foreground";
    }

    @Override
    public String usage() {
        return """
                Usage: drover up [-f FILE] [--no-pre-start] [-d [--timeout 60s] [--runtime-dir DIR]] [NAME…]

                Starts every enabled process (or the named ones and what they depend on) in
                dependency order and prints their output as `name | line`. Drover's own events
                are tagged [drover]. It is the same daemon as `up -d`, in the foreground: it
                serves the control socket, so `drover ps`, `logs`, `restart`, `down`… work from
                another terminal, and a second `up` for the same file is refused. Ctrl-C, SIGTERM
                or a terminal hang-up (SIGHUP) stops everything in reverse dependency order; a
                second Ctrl-C kills what is still running at once.

                With -d, starts a background daemon instead (its own session, its output in
                RUNTIME_DIR/drover.log, its control socket RUNTIME_DIR/drover.sock) and returns
                when every started process is ready, or says which is not and why (exit 1).
                --timeout bounds that wait (default 60s).

                --no-pre-start skips every process's pre_start commands for as long as this
                daemon runs (a build already done, a check not wanted now).

                Exit status: 0 when everything stopped cleanly, 1 when the configuration is
                invalid or something had to be killed after its stop_timeout, 2 on a usage error.
                """;
    }

    @Override
    public int run(List<String> args) throws CliException {
        Arguments arguments =
                Arguments.parse(name(), args, Set.of("-d", "--detach", NO_PRE_START), Set.of("--timeout"));
        boolean detached = arguments.flags.contains("-d") || arguments.flags.contains("--detach");
        if (!detached && arguments.values.containsKey("--timeout")) {
            throw new CliException(
                    ExitCodes.USAGE,
                    "--timeout bounds how long `up -d` waits for readiness; the foreground `up` runs until it is"
                            + " stopped. Did you mean `drover up -d --timeout "
                            + arguments.values.get("--timeout") + "`?");
        }
        Duration timeout = Durations.parse(arguments.values.getOrDefault("--timeout", "60s"));
        DroverConfig config = Configs.load(arguments.configFiles);
        Configs.checkNames(config, arguments.names);
        if (detached) {
            return Background.start(arguments, timeout);
        }
        // The same daemon as `up -d`, in this process, printing everything to this terminal.
        Face face = Face.foreground(Console.stdout());
        return DaemonCommand.runDaemon(
                Daemons.runtime(arguments), config, arguments.names, face, arguments.flags.contains(NO_PRE_START));
    }
}
