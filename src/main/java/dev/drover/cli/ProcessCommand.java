package dev.drover.cli;

import dev.drover.control.Control;
import dev.drover.control.ControlException;
import dev.drover.control.ProcessInfo;
import java.util.List;
import java.util.Set;

/** `drover start|stop|restart NAME… | --all`. */
final class ProcessCommand extends RemoteCommand {
    private final String name;

    ProcessCommand(String name) {
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String summary() {
        return name.equals("run")
                ? "start a run of scheduled jobs now (NAME…); their schedules go on as before"
                : name + " processes of the running daemon (NAME… or --all)";
    }

    @Override
    public String usage() {
        return """
                Usage: drover %s [-f FILE] [--runtime-dir DIR] (NAME… | --all)

                A NAME is a process (all its replicas) or one instance (api.1). The command is
                queued: it returns at once, and `drover ps` shows the effect.
                """.formatted(name);
    }

    /** What happens next, as far as the snapshot taken right after the command was queued tells. */
    private String outlook(ProcessInfo after) {
        boolean down = after.state().equals("stopped")
                || after.state().equals("exited")
                || after.state().equals("fatal");
        return switch (name) {
            case "start" ->
                after.state().equals("running")
                        ? "already running (pid " + after.pid() + ")"
                        : after.waitingFor() != null
                                ? "starts once its dependencies are met (waiting for " + after.waitingFor() + ")"
                                : "starting";
            case "stop" -> down && after.pid() == 0 ? "already " + after.state() : "stopping";
            case "run" -> "run started" + ProcessNotes.nextRun(after, System.currentTimeMillis());
            default -> "restarting";
        };
    }

    @Override
    Arguments parse(List<String> args) throws CliException {
        Arguments arguments = Arguments.parse(name, args, Set.of("--all"));
        if (arguments.names.isEmpty() == !arguments.flags.contains("--all")) {
            throw new CliException(
                    ExitCodes.USAGE, name + " needs process names or --all (not both); see `drover help " + name + "`");
        }
        return arguments;
    }

    @Override
    int run(Arguments arguments, Control control) throws ControlException, CliException {
        List<String> ids = arguments.flags.contains("--all")
                ? control.processes().stream().map(ProcessInfo::id).toList()
                : Daemons.resolve(control, arguments.names);
        for (String id : ids) {
            ProcessInfo after = switch (name) {
                case "start" -> control.start(id);
                case "stop" -> control.stop(id);
                case "run" -> control.run(id);
                default -> control.restart(id);
            };
            System.out.println(id + ": " + outlook(after));
        }
        return ExitCodes.OK;
    }
}
