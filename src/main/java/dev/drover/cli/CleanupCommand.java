package dev.drover.cli;

import dev.drover.daemon.DaemonLock;
import dev.drover.daemon.Leftovers;
import dev.drover.daemon.RuntimeDir;
import dev.drover.launch.Signals;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** `drover cleanup`: stops what a daemon that died left running, and starts nothing. */
final class CleanupCommand implements Command {
    @Override
    public String name() {
        return "cleanup";
    }

    @Override
    public String summary() {
        return "stop what a daemon that died (kill -9, OOM) left running; start nothing";
    }

    @Override
    public String usage() {
        return """
                Usage: drover cleanup [--file FILE] [--runtime-dir DIR] [--timeout 10s]

                When the daemon of FILE died without stopping its processes, finds them from its
                state file — the children it recorded (by PID and start time, never by name), every
                process carrying its marker, everything in its cgroups — stops them (their stop
                signal SIGTERM, then SIGKILL after --timeout) and says what it stopped. Refused
                while a daemon is running: use `drover down` then.
                """;
    }

    @Override
    public int run(List<String> args) throws CliException {
        Arguments arguments = Arguments.parse(name(), args, Set.of(), Set.of("--timeout"));
        Duration grace = Durations.parse(arguments.values.getOrDefault("--timeout", "10s"));
        RuntimeDir runtime = Daemons.runtime(arguments);
        try {
            if (DaemonLock.isHeld(runtime)) {
                throw new CliException(
                        ExitCodes.FAILED,
                        "a drover daemon (pid " + runtime.recordedPid() + ") is running for " + arguments.configFile
                                + "; `drover down` stops it and everything it started");
            }
            Leftovers leftovers = Leftovers.of(runtime);
            if (!leftovers.recorded()) {
                System.out.println("nothing to clean up for " + arguments.configFile
                        + ": no daemon that died left a record in " + runtime.dir());
                return ExitCodes.OK;
            }
            Map<Integer, String> stopped = leftovers.stop(Signals.SIGTERM, grace);
            leftovers.forget(runtime);
            if (stopped.isEmpty()) {
                System.out.println(
                        "nothing was left running by the daemon (pid " + leftovers.daemonPid() + ") that died");
                return ExitCodes.OK;
            }
            System.out.println("stopped " + stopped.size() + (stopped.size() == 1 ? " process" : " processes")
                    + " left running by the daemon (pid " + leftovers.daemonPid() + ") that died:");
            stopped.forEach((pid, what) -> System.out.println("  " + what + " (pid " + pid + ")"));
            return ExitCodes.OK;
        } catch (IOException e) {
            throw new CliException(ExitCodes.FAILED, e.getMessage());
        }
    }
}
