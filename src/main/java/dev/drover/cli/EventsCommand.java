package dev.drover.cli;

import dev.drover.control.Control;
import dev.drover.control.ControlException;
import dev.drover.control.ProcessEvent;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/** `drover events [--json]`: every state and health change, as it happens, until Ctrl-C. */
final class EventsCommand extends RemoteCommand {
    @Override
    public String name() {
        return "events";
    }

    @Override
    public String summary() {
        return "print every state and health change as it happens";
    }

    @Override
    public String usage() {
        return """
                Usage: drover events [-f FILE] [--runtime-dir DIR] [--json]

                Prints each change of state or health of any process from now on, one per line:
                TIME NAME FROM -> TO (health) pid N: REASON. With --json, each event as the JSON
                object GET /api/events sends. Runs until Ctrl-C or until the daemon stops.
                """;
    }

    @Override
    Arguments parse(List<String> args) throws CliException {
        Arguments arguments = Arguments.parse(name(), args, Set.of("--json"), Set.of());
        if (!arguments.names.isEmpty()) {
            throw new CliException(ExitCodes.USAGE, "drover events takes no names: it shows every process");
        }
        return arguments;
    }

    @Override
    int run(Arguments arguments, Control control) throws ControlException, CliException {
        boolean json = arguments.flags.contains("--json");
        followUntilEnd(control.followEvents(e -> print(e, json)), "events");
        return ExitCodes.OK;
    }

    private static synchronized void print(ProcessEvent e, boolean json) {
        if (json) {
            System.out.println(Json.write(e));
        } else {
            String health = e.health().equals(e.previousHealth()) ? "" : " (" + e.health() + ")";
            System.out.println(Instant.ofEpochMilli(e.time()) + " " + e.process() + " " + e.previousState() + " -> "
                    + e.state() + health + (e.pid() > 0 ? " pid " + e.pid() : "") + ": " + e.reason());
        }
        System.out.flush();
    }
}
