package dev.drover.cli;

import dev.drover.control.Control;
import dev.drover.control.ControlException;
import dev.drover.control.ProcessInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** `drover ps` (alias `status`): a table of every process, or the API's JSON with --json. */
final class PsCommand extends RemoteCommand {
    private final String name;

    PsCommand(String name) {
        this.name = name;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String summary() {
        return name.equals("ps")
                ? "list the processes of the running daemon (--json for the API's JSON)"
                : "the same as ps";
    }

    @Override
    public String usage() {
        return """
                Usage: drover %s [-f FILE] [--runtime-dir DIR] [--json] [NAME…]

                One line per process instance: NAME STATE HEALTH PID UPTIME RESTARTS CPU MEM PORT,
                and why a process is not running or not ready (waiting for a dependency, a crash
                loop and its next try, fatal, exited), with its last lines of output beneath.
                --json prints {"processes":[…]} exactly as GET /api/processes returns it.
                """.formatted(name);
    }

    @Override
    Arguments parse(List<String> args) throws CliException {
        return Arguments.parse(name, args, Set.of("--json"));
    }

    @Override
    int run(Arguments arguments, Control control) throws ControlException, CliException {
        List<ProcessInfo> processes = control.processes();
        if (!arguments.names.isEmpty()) {
            List<String> ids = Daemons.resolve(control, arguments.names);
            processes = processes.stream().filter(p -> ids.contains(p.id())).toList();
        }
        if (arguments.flags.contains("--json")) {
            System.out.println(Json.write(java.util.Map.of("processes", processes)));
            return ExitCodes.OK;
        }
        System.out.print(table(processes, Colours.enabled()));
        return ExitCodes.OK;
    }

    static String table(List<ProcessInfo> processes) {
        return table(processes, false);
    }

    /** @param colour state and health coloured (on a terminal) */
    static String table(List<ProcessInfo> processes, boolean colour) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"NAME", "STATE", "HEALTH", "PID", "UPTIME", "RESTARTS", "CPU", "MEM", "PORT", ""});
        long now = System.currentTimeMillis();
        for (ProcessInfo p : processes) {
            String note = ProcessNotes.why(p, now);
            rows.add(new String[] {
                p.id(),
                p.state(),
                p.health(),
                p.pid() > 0 ? Integer.toString(p.pid()) : "-",
                p.uptime() > 0 ? duration(p.uptime()) : "-",
                Integer.toString(p.restartCount()),
                p.cpu() == null ? "-" : Fixed.format(p.cpu(), 1) + "%",
                p.memory() == null ? "-" : bytes(p.memory()),
                p.port() == null ? "-" : Integer.toString(p.port()),
                note
            });
        }
        int[] widths = new int[rows.getFirst().length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (int r = 0; r < rows.size(); r++) {
            String[] row = rows.get(r);
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                String cell = row[i];
                if (colour && r > 0 && (i == 1 || i == 2)) {
                    cell = (i == 1 ? Colours.state(cell) : Colours.health(cell)) + cell + Colours.RESET;
                }
                line.append(cell).append(" ".repeat(widths[i] - row[i].length() + 2));
            }
            out.append(line.toString().stripTrailing()).append('\n');
            if (r > 0) {
                ProcessNotes.lastLines(processes.get(r - 1))
                        .forEach(l -> out.append(l).append('\n'));
            }
        }
        return out.toString();
    }

    static String duration(long millis) {
        long s = millis / 1000;
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return s / 60 + "m" + (s % 60) + "s";
        }
        if (s < 86400) {
            return s / 3600 + "h" + (s % 3600) / 60 + "m";
        }
        return s / 86400 + "d" + (s % 86400) / 3600 + "h";
    }

    static String bytes(long bytes) {
        if (bytes < 1024 * 1024) {
            return Fixed.format(bytes / 1024.0, 0) + "K";
        }
        if (bytes < 1024L * 1024 * 1024) {
            return Fixed.format(bytes / (1024.0 * 1024), 1) + "M";
        }
        return Fixed.format(bytes / (1024.0 * 1024 * 1024), 2) + "G";
    }
}
