package dev.drover.cli;

import dev.drover.control.Control;
import dev.drover.control.ControlException;
import dev.drover.control.HealthReport;
import dev.drover.control.ProcessInfo;
import dev.drover.control.ReloadResult;
import java.util.List;
import java.util.Set;

/** The small daemon commands: reload, health, signal, scale. */
final class SimpleRemoteCommands {
    private SimpleRemoteCommands() {}

    static final class Reload extends RemoteCommand {
        @Override
        public String name() {
            return "reload";
        }

        @Override
        public String summary() {
            return "re-read the configuration; restart only what changed";
        }

        @Override
        public String usage() {
            return """
                    Usage: drover reload [-f FILE] [--runtime-dir DIR]

                    The daemon re-reads its configuration file: processes whose definition changed
                    are restarted, removed ones stopped, added ones started, unchanged ones left
                    alone (same PID). An invalid file changes nothing; every error is printed and
                    the exit status is 1. SIGHUP to the daemon does the same.
                    """;
        }

        @Override
        Arguments parse(List<String> args) throws CliException {
            Arguments arguments = Arguments.parse(name(), args, Set.of());
            if (!arguments.names.isEmpty()) {
                throw new CliException(ExitCodes.USAGE, "reload takes no names");
            }
            return arguments;
        }

        @Override
        int run(Arguments arguments, Control control) throws ControlException {
            ReloadResult result = control.reload();
            System.out.println("reloaded: restarted " + result.restarted() + ", added " + result.added() + ", removed "
                    + result.removed() + ", unchanged " + result.unchanged());
            result.notes().forEach(note -> System.out.println("note: " + note));
            return ExitCodes.OK;
        }
    }

    static final class Health extends RemoteCommand {
        @Override
        public String name() {
            return "health";
        }

        @Override
        public String summary() {
            return "say whether every process that should run is running and ready (exit 0 or 1)";
        }

        @Override
        public String usage() {
            return "Usage: drover health [-f FILE] [--runtime-dir DIR]\n\nExit status 0 when healthy, 1 when not, 3 without a daemon.\n";
        }

        @Override
        Arguments parse(List<String> args) throws CliException {
            return Arguments.parse(name(), args, Set.of());
        }

        @Override
        int run(Arguments arguments, Control control) throws ControlException {
            HealthReport health = control.health();
            System.out.println(health.status() + ": " + health.ready() + " of " + health.total() + " ready, "
                    + health.running() + " running");
            long now = System.currentTimeMillis();
            for (ProcessInfo p : health.details()) {
                String why = ProcessNotes.why(p, now);
                System.out.println(
                        "  " + p.id() + ": " + p.state() + ", " + p.health() + (why.isEmpty() ? "" : " (" + why + ")"));
                ProcessNotes.lastLines(p).forEach(System.out::println);
            }
            return health.healthy() ? ExitCodes.OK : ExitCodes.FAILED;
        }
    }

    static final class SignalCommand extends RemoteCommand {
        @Override
        public String name() {
            return "signal";
        }

        @Override
        public String summary() {
            return "send a signal to a process (drover signal NAME SIG)";
        }

        @Override
        public String usage() {
            return "Usage: drover signal [-f FILE] [--runtime-dir DIR] NAME SIG\n\nSIG is a name (HUP, USR1, TERM…) or a number; sent to the main PID of each instance of NAME.\n";
        }

        @Override
        Arguments parse(List<String> args) throws CliException {
            Arguments arguments = Arguments.parse(name(), args, Set.of());
            if (arguments.names.size() != 2) {
                throw new CliException(ExitCodes.USAGE, "signal needs NAME and SIG; see `drover help signal`");
            }
            return arguments;
        }

        @Override
        int run(Arguments arguments, Control control) throws ControlException, CliException {
            String signal = arguments.names.get(1);
            for (String id : Daemons.resolve(control, List.of(arguments.names.getFirst()))) {
                control.signal(id, signal);
                System.out.println(id + ": sent " + signal);
            }
            return ExitCodes.OK;
        }
    }

    static final class Scale extends RemoteCommand {
        @Override
        public String name() {
            return "scale";
        }

        @Override
        public String summary() {
            return "run N instances of a process until the next reload (drover scale NAME N)";
        }

        @Override
        public String usage() {
            return """
                    Usage: drover scale [-f FILE] [--runtime-dir DIR] NAME N

                    Runs N instances of process NAME (N is 1 or more; to stop them all, use
                    `drover stop NAME`) until the next reload, which restores the file's
                    `replicas`; `ps` says "scaled to N (file: M) until reload" meanwhile.
                    Between counts above 1 the instances both counts have keep running (same PID):
                    scaling up starts NAME.M… if the process runs, scaling down drains (when a
                    route sends it traffic) and stops the highest-numbered ones. From or to one
                    instance the names change (NAME ↔ NAME.0, NAME.1…), so its instances are
                    replaced. A process with a fixed port runs only one instance.
                    Exit status: 0 scaled, 1 unknown process or refused count, 2 usage error,
                    3 no daemon running.
                    """;
        }

        @Override
        Arguments parse(List<String> args) throws CliException {
            Arguments arguments = Arguments.parse(name(), args, Set.of());
            if (arguments.names.size() != 2) {
                throw new CliException(ExitCodes.USAGE, "scale needs NAME and N; see `drover help scale`");
            }
            String count = arguments.names.get(1);
            if (!count.matches("\\d{1,9}")) {
                throw new CliException(
                        ExitCodes.USAGE, "N must be a whole number of instances (1 or more), got \"" + count + "\"");
            }
            return arguments;
        }

        @Override
        int run(Arguments arguments, Control control) throws ControlException {
            String process = arguments.names.getFirst();
            List<ProcessInfo> instances = control.scale(process, Integer.parseInt(arguments.names.get(1)));
            ProcessInfo.Scaled scaled =
                    instances.isEmpty() ? null : instances.getFirst().scaled();
            // Their states right after the command say little (new ones have not started yet): `ps` does.
            System.out.println(process + ": " + instances.size() + (instances.size() == 1 ? " instance" : " instances")
                    + (scaled == null ? " (as the file says)" : " (" + ProcessNotes.scaled(scaled) + ")") + ": "
                    + String.join(", ", instances.stream().map(ProcessInfo::id).toList())
                    + "; `drover ps` shows how they run");
            return ExitCodes.OK;
        }
    }
}
