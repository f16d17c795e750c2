package dev.drover.cli;

import dev.drover.control.Control;
import dev.drover.control.ControlException;
import dev.drover.control.LogEntry;
import dev.drover.control.ProcessInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * `drover logs [-f] [-n N] [--since T] [--grep RE] [--stderr] [--timestamps] [--json] [NAME…]`:
 * the last lines, interleaved by time, filtered, and optionally new ones as they come.
 */
final class LogsCommand extends RemoteCommand {
    /** Lines asked of each process when a filter may drop most of them (the daemon keeps fewer). */
    private static final int FILTERED_LINES = 100_000;

    private static final String[] COLOURS = {
        "\u001b[36m", "\u001b[33m", "\u001b[32m", "\u001b[35m", "\u001b[34m", "\u001b[31m"
    };

    /** What to show, and how. */
    private record View(
            java.util.regex.Pattern grep,
            long sinceMillis,
            boolean stderrOnly,
            boolean timestamps,
            boolean json,
            java.util.Map<String, String> colours,
            int width) {
        boolean shows(LogEntry e) {
            return e.time() >= sinceMillis
                    && (!stderrOnly || e.stream().equals("stderr"))
                    && (grep == null || grep.matcher(e.line()).find());
        }
    }

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
                Usage: drover logs [--file FILE] [--runtime-dir DIR] [-n N] [-f|--follow]
                                   [--since 10m|2026-12-01T10:00] [--grep REGEX] [--stderr]
                                   [--timestamps] [--json] [NAME…]

                Prints the last N lines (default 100) of each named process (all when none are
                named), interleaved by time, as `name | line`; Drover's own events are tagged
                [drover]. With -f (or --follow, -F), keeps printing new lines until Ctrl-C, also
                across restarts of the process. Here -f follows, as in tail, docker and kubectl:
                name the config file with --file, or with -f before the command
                (`drover -f x.yaml logs -f web`).

                --since shows lines from that long ago (10m, 1h30m) or from that time (ISO
                local time 2026-12-01T10:00, or with a zone, 2026-12-01T10:00:00Z); --grep only
                lines a regular expression finds something in; --stderr only what processes
                wrote to stderr (stderr lines are marked `!` after the `|`). --timestamps puts
                each line's time first; --json prints one object per line ({"time","process",
                "stream","line"}). On a terminal each process has its colour (NO_COLOR=1: none).
                The daemon keeps the last 1000 lines of each process in memory: older lines are
                in its log file.
                """;
    }

    @Override
    Arguments parse(List<String> args) throws CliException {
        return Arguments.parse(
                name(),
                args,
                Set.of("-f", "--follow", "-F", "--stderr", "--timestamps", "--json"),
                Set.of("-n", "--lines", "--since", "--grep"));
    }

    @Override
    int run(Arguments arguments, Control control) throws ControlException, CliException {
        View view = view(arguments);
        boolean filtered = view.grep() != null || view.sinceMillis() > 0 || view.stderrOnly();
        boolean countGiven = arguments.values.containsKey("-n") || arguments.values.containsKey("--lines");
        int lines = arguments.intValue("-n", arguments.intValue("--lines", 100));
        List<String> ids = arguments.names.isEmpty()
                ? control.processes().stream().map(ProcessInfo::id).toList()
                : Daemons.resolve(control, arguments.names);
        View shown = withProcesses(view, ids);
        List<LogEntry> entries = new ArrayList<>();
        for (String id : ids) {
            List<LogEntry> found = control.logs(id, filtered ? Math.max(lines, FILTERED_LINES) : lines).stream()
                    .filter(shown::shows)
                    .toList();
            // -n counts the lines shown, after the filters
            entries.addAll(
                    filtered && countGiven || filtered && found.size() > lines
                            ? found.subList(Math.max(0, found.size() - lines), found.size())
                            : found);
        }
        entries.sort(Comparator.comparingLong(LogEntry::time));
        entries.forEach(e -> print(e, shown));
        System.out.flush();
        if (!arguments.flags.contains("-f")
                && !arguments.flags.contains("--follow")
                && !arguments.flags.contains("-F")) {
            return ExitCodes.OK;
        }
        followUntilEnd(
                control.followLogs(ids, e -> {
                    if (shown.shows(e)) {
                        print(e, shown);
                        System.out.flush();
                    }
                }),
                "logs");
        return ExitCodes.OK;
    }

    private static View view(Arguments arguments) throws CliException {
        java.util.regex.Pattern grep = null;
        String regex = arguments.values.get("--grep");
        if (regex != null) {
            try {
                grep = java.util.regex.Pattern.compile(regex);
            } catch (java.util.regex.PatternSyntaxException e) {
                throw new CliException(
                        ExitCodes.USAGE, "--grep: not a regular expression: " + e.getDescription() + " in " + regex);
            }
        }
        long since = 0;
        String sinceText = arguments.values.get("--since");
        if (sinceText != null) {
            since = since(sinceText.strip());
        }
        boolean colour = Colours.enabled() && !arguments.flags.contains("--json");
        return new View(
                grep,
                since,
                arguments.flags.contains("--stderr"),
                arguments.flags.contains("--timestamps"),
                arguments.flags.contains("--json"),
                colour ? new java.util.HashMap<>() : null,
                0);
    }

    /** --since as epoch ms: a duration back from now, or a date and time (local unless it says its zone). */
    static long since(String text) throws CliException {
        try {
            return System.currentTimeMillis()
                    - dev.drover.config.Durations.parse(text).toMillis();
        } catch (IllegalArgumentException notADuration) {
            // a time, then
        }
        try {
            return java.time.OffsetDateTime.parse(text).toInstant().toEpochMilli();
        } catch (java.time.format.DateTimeParseException e) {
            // no zone
        }
        try {
            return java.time.LocalDateTime.parse(text)
                    .atZone(java.time.ZoneId.systemDefault())
                    .toInstant()
                    .toEpochMilli();
        } catch (java.time.format.DateTimeParseException e) {
            // a date alone?
        }
        try {
            return java.time.LocalDate.parse(text)
                    .atStartOfDay(java.time.ZoneId.systemDefault())
                    .toInstant()
                    .toEpochMilli();
        } catch (java.time.format.DateTimeParseException e) {
            throw new CliException(
                    ExitCodes.USAGE,
                    "--since needs a duration (10m, 1h30m) or a time (2026-12-01T10:00, 2026-12-01T10:00:00Z), got "
                            + text);
        }
    }

    private static View withProcesses(View view, List<String> ids) {
        java.util.Map<String, String> colours = null;
        if (view.colours() != null) {
            colours = new java.util.HashMap<>();
            for (int i = 0; i < ids.size(); i++) {
                colours.put(ids.get(i), COLOURS[i % COLOURS.length]);
            }
        }
        int width = ids.stream().mapToInt(String::length).max().orElse(0);
        return new View(
                view.grep(), view.sinceMillis(), view.stderrOnly(), view.timestamps(), view.json(), colours, width);
    }

    private static synchronized void print(LogEntry entry, View view) {
        if (view.json()) {
            System.out.println(Json.write(entry));
            return;
        }
        String tag = switch (entry.stream()) {
            case "drover" -> "[drover] ";
            case "stderr" -> "! ";
            default -> "";
        };
        String name = entry.process()
                + " ".repeat(Math.max(0, view.width() - entry.process().length()));
        String colour = view.colours() == null ? null : view.colours().get(entry.process());
        String time =
                view.timestamps() ? java.time.Instant.ofEpochMilli(entry.time()).toString() + " " : "";
        System.out.println(time + (colour == null ? name : colour + name + Colours.RESET) + " | " + tag + entry.line());
    }
}
