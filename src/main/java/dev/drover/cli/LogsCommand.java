package dev.drover.cli;

import dev.drover.control.Control;
import dev.drover.control.ControlException;
import dev.drover.control.LogEntry;
import dev.drover.control.ProcessInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/** `drover logs [-f] [-n N] [NAME…]`: the last lines, interleaved by time, and optionally new ones as they come. */
final class LogsCommand extends RemoteCommand {
    @Override
    public String name() {
        return "logs";
    }

    @Override
    public String summary() {
        return "print the last lines of processes' logs; -f follows";
    }

    @Override
    public String usage() {
        return """
                Usage: drover logs [--file FILE] [--runtime-dir DIR] [-n N] [-f|--follow] [NAME…]

                Prints the last N lines (default 100) of each named process (all when none are
                named), interleaved by time, as `name | line`; Drover's own events are tagged
                [drover]. With -f (or --follow, -F), keeps printing new lines until Ctrl-C, also
                across restarts of the process. Here -f follows, as in tail, docker and kubectl:
                name the config file with --file, or with -f before the command
                (`drover -f x.yaml logs -f web`).
                """;
    }

    @Override
    Arguments parse(List<String> args) throws CliException {
        return Arguments.parse(name(), args, Set.of("-f", "--follow", "-F"), Set.of("-n", "--lines"));
    }

    @Override
    int run(Arguments arguments, Control control) throws ControlException, CliException {
        int lines = arguments.intValue("-n", arguments.intValue("--lines", 100));
        List<String> ids = arguments.names.isEmpty()
                ? control.processes().stream().map(ProcessInfo::id).toList()
                : Daemons.resolve(control, arguments.names);
        int width = ids.stream().mapToInt(String::length).max().orElse(0);
        List<LogEntry> entries = new ArrayList<>();
        for (String id : ids) {
            entries.addAll(control.logs(id, lines));
        }
        entries.sort(Comparator.comparingLong(LogEntry::time));
        entries.forEach(e -> print(e, width));
        System.out.flush();
        if (!arguments.flags.contains("-f")
                && !arguments.flags.contains("--follow")
                && !arguments.flags.contains("-F")) {
            return ExitCodes.OK;
        }
        followUntilEnd(
                control.followLogs(ids, e -> {
                    print(e, width);
                    System.out.flush();
                }),
                "logs");
        return ExitCodes.OK;
    }

    private static synchronized void print(LogEntry entry, int width) {
        String tag = entry.stream().equals("drover") ? "[drover] " : "";
        System.out.println(entry.process()
                + " ".repeat(Math.max(0, width - entry.process().length())) + " | " + tag + entry.line());
    }
}
