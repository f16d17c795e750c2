package dev.drover.cli;

import dev.drover.control.Control;
import dev.drover.control.ControlException;
import dev.drover.control.LogEntry;
import dev.drover.control.ProcessInfo;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jline.terminal.Attributes;
import org.jline.terminal.Size;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import org.jline.utils.InfoCmp;
import org.jline.utils.NonBlockingReader;

/**
 * `drover top`: the process table in the terminal, updated as events arrive, with the selected
 * process's log below it and keys to start, stop and restart. On anything but a terminal it prints
 * one snapshot (the `ps` table) and exits. The terminal is restored on every way out: q, Ctrl-C,
 * the daemon going away, an error.
 */
final class TopCommand extends RemoteCommand {
    private static final int LOG_LINES = 200;
    private static final String HELP = """
            drover top — keys
              ↑ ↓ / k j   select a process
              s           start it
              x           stop it (asks y/n)
              r           restart it
              /           filter by name (Enter keeps it, Esc clears it)
              ?           this help (any key closes it)
              q, Ctrl-C   quit
            """;

    @Override
    public String name() {
        return "top";
    }

    @Override
    public String summary() {
        return "a live process table in the terminal, with logs and keys to start/stop/restart";
    }

    @Override
    public String usage() {
        return """
                Usage: drover top [-f FILE] [--runtime-dir DIR]

                The process table, updated live from the daemon's event stream, with the selected
                process's output below it. Keys: arrows select, s start, x stop (confirmed), r
                restart, / filter, ? help, q quit. On a non-terminal, prints one snapshot and exits.
                """;
    }

    @Override
    Arguments parse(List<String> args) throws CliException {
        Arguments arguments = Arguments.parse(name(), args, Set.of(), Set.of());
        if (!arguments.names.isEmpty()) {
            throw new CliException(ExitCodes.USAGE, "drover top takes no names (use / to filter)");
        }
        return arguments;
    }

    @Override
    int run(Arguments arguments, Control control) throws ControlException, CliException {
        java.io.Console console = System.console();
        if (console == null || !console.isTerminal()) {
            System.out.print(PsCommand.table(control.processes()));
            return ExitCodes.OK;
        }
        try (Terminal terminal = TerminalBuilder.builder().system(true).build()) {
            return new Screen(terminal, control).run();
        } catch (IOException e) {
            throw new CliException(ExitCodes.FAILED, "drover top: the terminal failed: " + e.getMessage());
        }
    }

    /** What the keyboard and the daemon tell the screen; handled one at a time by its loop. */
    private sealed interface Input {
        record Key(int code) implements Input {}

        record Changed() implements Input {}

        record Line(LogEntry entry) implements Input {}

        record Resized() implements Input {}

        record Quit() implements Input {}

        record Lost(String why) implements Input {}
    }

    /** One run of the UI: its state and its loop. */
    private static final class Screen {
        private final Terminal terminal;
        private final Control control;
        private final LinkedBlockingQueue<Input> inputs = new LinkedBlockingQueue<>();
        private final ArrayDeque<LogEntry> log = new ArrayDeque<>();
        private List<ProcessInfo> processes = List.of();
        private String selected;
        private String filter = "";
        private boolean editingFilter;
        private boolean help;
        private String confirming; // the id a stop waits for y/n on
        private String status = "";
        private AutoCloseable logFollow;
        private String followed;

        Screen(Terminal terminal, Control control) {
            this.terminal = terminal;
            this.control = control;
        }

        int run() throws ControlException, IOException {
            Attributes saved = terminal.enterRawMode();
            Terminal.SignalHandler previousInt =
                    terminal.handle(Terminal.Signal.INT, s -> inputs.add(new Input.Quit()));
            Terminal.SignalHandler previousWinch =
                    terminal.handle(Terminal.Signal.WINCH, s -> inputs.add(new Input.Resized()));
            terminal.puts(InfoCmp.Capability.enter_ca_mode);
            terminal.puts(InfoCmp.Capability.cursor_invisible);
            terminal.flush();
            Thread keys = Thread.ofVirtual().name("drover-top-keys").start(this::readKeys);
            try (AutoCloseable events = control.followEvents(e -> inputs.add(new Input.Changed()))) {
                reload();
                while (true) {
                    draw();
                    Input input = inputs.poll(2, TimeUnit.SECONDS);
                    if (input == null) {
                        reload(); // CPU, memory and uptime change without events
                        continue;
                    }
                    switch (input) {
                        case Input.Quit q -> {
                            return ExitCodes.OK;
                        }
                        case Input.Lost lost -> {
                            status = lost.why();
                            restore(saved, previousInt, previousWinch);
                            System.err.println("drover top: " + lost.why());
                            return ExitCodes.FAILED;
                        }
                        case Input.Key key -> {
                            if (!key(key.code())) {
                                return ExitCodes.OK;
                            }
                        }
                        case Input.Changed c -> {
                            inputs.removeIf(i -> i instanceof Input.Changed); // one reload for a burst
                            reload();
                        }
                        case Input.Line line -> {
                            log.addLast(line.entry());
                            while (log.size() > LOG_LINES) {
                                log.removeFirst();
                            }
                        }
                        case Input.Resized r -> {}
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return ExitCodes.FAILED;
            } catch (Exception e) {
                if (e instanceof ControlException control) {
                    throw control;
                }
                throw new IOException(e.getMessage(), e);
            } finally {
                keys.interrupt();
                closeLogFollow();
                restore(saved, previousInt, previousWinch);
            }
        }

        private boolean restored;

        private void restore(
                Attributes saved, Terminal.SignalHandler previousInt, Terminal.SignalHandler previousWinch) {
            if (restored) {
                return;
            }
            restored = true;
            terminal.puts(InfoCmp.Capability.cursor_visible);
            terminal.puts(InfoCmp.Capability.exit_ca_mode);
            terminal.flush();
            terminal.setAttributes(saved);
            terminal.handle(Terminal.Signal.INT, previousInt);
            terminal.handle(Terminal.Signal.WINCH, previousWinch);
        }

        private void readKeys() {
            NonBlockingReader reader = terminal.reader();
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    int c = reader.read(200);
                    if (c == NonBlockingReader.READ_EXPIRED) {
                        continue;
                    }
                    if (c < 0) {
                        inputs.add(new Input.Quit());
                        return;
                    }
                    if (c == 27) { // an escape sequence (arrows) or Esc alone
                        int next = reader.read(50);
                        if (next == '[' || next == 'O') {
                            int code = reader.read(50);
                            inputs.add(new Input.Key(code == 'A' ? -1 : code == 'B' ? -2 : 0));
                            continue;
                        }
                        inputs.add(new Input.Key(27));
                        if (next >= 0) {
                            inputs.add(new Input.Key(next));
                        }
                        continue;
                    }
                    inputs.add(new Input.Key(c));
                }
            } catch (IOException e) {
                inputs.add(new Input.Quit());
            }
        }

        /** Handles a key; false to quit. */
        private boolean key(int c) {
            if (help) {
                help = false;
                return true;
            }
            if (editingFilter) {
                if (c == 13 || c == 10) {
                    editingFilter = false;
                } else if (c == 27) {
                    editingFilter = false;
                    filter = "";
                } else if (c == 127 || c == 8) {
                    filter = filter.isEmpty() ? "" : filter.substring(0, filter.length() - 1);
                } else if (c >= 32) {
                    filter += (char) c;
                }
                keepSelectionVisible();
                return true;
            }
            if (confirming != null) {
                String id = confirming;
                confirming = null;
                if (c == 'y' || c == 'Y') {
                    command("stop", id);
                } else {
                    status = "stop of " + id + " cancelled";
                }
                return true;
            }
            List<ProcessInfo> shown = shown();
            int index = indexOf(shown, selected);
            switch (c) {
                case 'q', 3 -> {
                    return false;
                }
                case -1, 'k' -> select(shown, Math.max(0, index - 1));
                case -2, 'j' -> select(shown, Math.min(shown.size() - 1, index + 1));
                case 's' -> command("start", selected);
                case 'r' -> command("restart", selected);
                case 'x' -> {
                    if (selected != null) {
                        confirming = selected;
                        status = "stop " + selected + "? y/n";
                    }
                }
                case '/' -> editingFilter = true;
                case '?' -> help = true;
                default -> {}
            }
            return true;
        }

        private void select(List<ProcessInfo> shown, int index) {
            if (index >= 0 && index < shown.size()) {
                selected = shown.get(index).id();
                followSelected();
            }
        }

        private void command(String action, String id) {
            if (id == null) {
                return;
            }
            try {
                switch (action) {
                    case "start" -> control.start(id);
                    case "stop" -> control.stop(id);
                    default -> control.restart(id);
                }
                status = action + " " + id + ": queued";
            } catch (ControlException e) {
                status = action + " " + id + " failed: " + e.getMessage();
            }
        }

        private void reload() {
            try {
                processes = control.processes();
            } catch (ControlException e) {
                inputs.add(new Input.Lost("lost the daemon: " + e.getMessage()));
                return;
            }
            if (selected == null || indexOf(processes, selected) < 0) {
                selected = processes.isEmpty() ? null : processes.getFirst().id();
            }
            keepSelectionVisible();
            followSelected();
        }

        private void keepSelectionVisible() {
            List<ProcessInfo> shown = shown();
            if (!shown.isEmpty() && indexOf(shown, selected) < 0) {
                selected = shown.getFirst().id();
                followSelected();
            }
        }

        private void followSelected() {
            if (selected == null || selected.equals(followed)) {
                return;
            }
            closeLogFollow();
            log.clear();
            followed = selected;
            try {
                String id = selected;
                logFollow = control.followLogs(List.of(id), entry -> inputs.add(new Input.Line(entry)));
                log.addAll(control.logs(id, LOG_LINES));
            } catch (ControlException e) {
                status = "cannot follow the log of " + selected + ": " + e.getMessage();
            }
        }

        private void closeLogFollow() {
            if (logFollow != null) {
                try {
                    logFollow.close();
                } catch (Exception e) {
                    // Nothing more to stop.
                }
                logFollow = null;
            }
        }

        private List<ProcessInfo> shown() {
            if (filter.isEmpty()) {
                return processes;
            }
            String lower = filter.toLowerCase(Locale.ROOT);
            return processes.stream()
                    .filter(p -> p.id().toLowerCase(Locale.ROOT).contains(lower))
                    .toList();
        }

        private static int indexOf(List<ProcessInfo> list, String id) {
            for (int i = 0; i < list.size(); i++) {
                if (list.get(i).id().equals(id)) {
                    return i;
                }
            }
            return -1;
        }

        private void draw() {
            Size size = terminal.getSize();
            int width = Math.max(20, size.getColumns());
            int height = Math.max(8, size.getRows());
            List<String> lines = new ArrayList<>();
            List<Boolean> highlighted = new ArrayList<>();
            if (help) {
                HELP.lines().forEach(l -> {
                    lines.add(l);
                    highlighted.add(false);
                });
            } else {
                List<ProcessInfo> shown = shown();
                String[] table = PsCommand.table(shown).split("\n");
                String header = "drover top — " + processes.size() + " processes"
                        + (filter.isEmpty() && !editingFilter
                                ? ""
                                : "   filter: " + filter + (editingFilter ? "_" : ""))
                        + "   ? help  q quit";
                lines.add(header);
                highlighted.add(false);
                // The table's first line is its header; then one row per process, maybe with output lines.
                int row = -1;
                int tableRows = Math.max(3, (height - 2) / 2);
                for (String line : table) {
                    if (lines.size() > tableRows) {
                        break;
                    }
                    boolean isRow = row >= 0
                            && row < shown.size()
                            && line.startsWith(shown.get(row).id() + " ");
                    if (line.equals(table[0])) {
                        row = 0;
                        lines.add(line);
                        highlighted.add(false);
                        continue;
                    }
                    if (!isRow
                            && row + 1 < shown.size()
                            && line.startsWith(shown.get(row + 1).id() + " ")) {
                        row++;
                        isRow = true;
                    }
                    lines.add(line);
                    highlighted.add(isRow && shown.get(row).id().equals(selected));
                }
                lines.add("── " + (selected == null ? "no process" : selected + " output") + " " + "─".repeat(width));
                highlighted.add(false);
                int room = height - lines.size() - 1;
                List<LogEntry> tail = new ArrayList<>(log);
                for (LogEntry entry : tail.subList(Math.max(0, tail.size() - room), tail.size())) {
                    String tag = entry.stream().equals("stderr")
                            ? "err "
                            : entry.stream().equals("drover") ? "drv " : "out ";
                    lines.add(tag + entry.line());
                    highlighted.add(false);
                }
            }
            PrintWriter out = terminal.writer();
            StringBuilder frame = new StringBuilder("\u001b[H");
            for (int i = 0; i < height - 1; i++) {
                String line = i < lines.size() ? lines.get(i) : "";
                line = line.replaceAll("[\\p{Cntrl}&&[^\t]]", "?");
                if (line.length() > width) {
                    line = line.substring(0, width);
                }
                boolean inverse = i < highlighted.size() && highlighted.get(i);
                frame.append(inverse ? "\u001b[7m" : "")
                        .append(line)
                        .append(inverse ? "\u001b[0m" : "")
                        .append("\u001b[K\r\n");
            }
            String bottom = status.length() > width ? status.substring(0, width) : status;
            frame.append(bottom).append("\u001b[K\u001b[J");
            out.print(frame);
            out.flush();
        }
    }
}
