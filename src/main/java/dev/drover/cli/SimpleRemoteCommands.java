package dev.drover.cli;

import dev.drover.control.Control;
import dev.drover.control.ControlException;
import dev.drover.control.HealthReport;
import dev.drover.control.ProcessInfo;
import dev.drover.control.ReloadResult;
import java.util.List;
import java.util.Set;

/** The small daemon commands: reload, health, signal. */
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
}
