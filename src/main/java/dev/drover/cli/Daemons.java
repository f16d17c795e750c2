package dev.drover.cli;

import dev.drover.client.RemoteControl;
import dev.drover.control.Control;
import dev.drover.control.ControlException;
import dev.drover.control.ProcessInfo;
import dev.drover.daemon.DaemonLock;
import dev.drover.daemon.Leftovers;
import dev.drover.daemon.RuntimeDir;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** How commands reach the daemon of a config file, and turn names into process ids. */
final class Daemons {
    private Daemons() {}

    static RuntimeDir runtime(Arguments arguments) {
        return RuntimeDir.resolve(arguments.configFile, arguments.runtimeDir);
    }

    /** "no drover daemon is running for FILE", and what a dead one left behind, if anything. */
    static String noDaemon(Arguments arguments, String detail) {
        RuntimeDir runtime = runtime(arguments);
        if (lockHeld(runtime)) {
            // Only a held lock means a daemon runs: one that has not served its socket yet.
            int pid = runtime.recordedPid();
            return "the drover daemon for " + arguments.configFile + (pid > 0 ? " (pid " + pid + ")" : "")
                    + " does not answer on " + runtime.socket() + " yet: it is starting (try again in a moment),"
                    + " or stuck (see " + runtime.log() + ")";
        }
        String message = "no drover daemon is running for " + arguments.configFile + " (runtime directory "
                + runtime.dir() + ")" + (detail == null || detail.startsWith("no drover daemon") ? "" : ": " + detail);
        Leftovers leftovers = Leftovers.of(runtime);
        int alive = leftovers.recorded() ? leftovers.alive().size() : 0;
        if (alive > 0) {
            return message + "; but its daemon (pid " + leftovers.daemonPid() + ") died and " + alive
                    + " of its processes " + (alive == 1 ? "is" : "are")
                    + " still running: `drover cleanup` stops them";
        }
        return message + "; start one with `drover up -d`";
    }

    /** Whether a daemon holds the runtime directory's lock; false when that cannot be told. */
    static boolean lockHeld(RuntimeDir runtime) {
        try {
            return DaemonLock.isHeld(runtime);
        } catch (IOException | RuntimeException e) {
            return false; // cannot tell (not ours to open): said as before
        }
    }

    static Control connect(Arguments arguments) {
        return new RemoteControl(runtime(arguments).socket());
    }

    /**
     * The instance ids that the names mean: an instance id as it is, a process name as all its
     * replicas. An unknown name is an error that lists the known ones.
     */
    static List<String> resolve(Control control, List<String> names) throws ControlException, CliException {
        List<ProcessInfo> all = control.processes();
        Set<String> ids = new LinkedHashSet<>();
        for (String name : names) {
            List<String> matching = all.stream()
                    .filter(p -> p.id().equals(name) || p.name().equals(name))
                    .map(ProcessInfo::id)
                    .toList();
            if (matching.isEmpty()) {
                Set<String> known = new LinkedHashSet<>();
                all.forEach(p -> known.add(p.name()));
                all.forEach(p -> known.add(p.id()));
                throw new CliException(
                        ExitCodes.FAILED, "unknown process " + name + " (known: " + String.join(", ", known) + ")");
            }
            ids.addAll(matching);
        }
        return new ArrayList<>(ids);
    }

    /**
     * The exit status and message for a failed request to the daemon of {@code arguments}' config
     * file. Without a daemon, says whether one that died left processes running.
     */
    static CliException failure(ControlException e, Arguments arguments) {
        if (e.status() == ControlException.UNREACHABLE) {
            return new CliException(ExitCodes.NO_DAEMON, noDaemon(arguments, e.getMessage()));
        }
        StringBuilder message = new StringBuilder(e.getMessage());
        for (String detail : e.details()) {
            message.append("\n  ").append(detail);
        }
        return new CliException(ExitCodes.FAILED, message.toString());
    }
}
