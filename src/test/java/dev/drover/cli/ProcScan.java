package dev.drover.cli;

import dev.drover.launch.ProcessRef;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * One pass over /proc, for tests that look at a daemon and everything it started from the outside:
 * each process's parent, state, start time, Drover's marker and process name from its environment,
 * and its command line.
 */
final class ProcScan {
    /** One process; {@code marker} is its DROVER_SPAWN_ID (null when it has none or we cannot read it). */
    record Proc(
            int pid,
            int ppid,
            char state,
            long startTime,
            String marker,
            String process,
            String replica,
            List<String> cmdline) {
        boolean zombie() {
            return state == 'Z' || state == 'X';
        }

        ProcessRef ref() {
            return new ProcessRef(pid, startTime);
        }

        @Override
        public String toString() {
            return "pid " + pid + " (ppid " + ppid + ", state " + state + ", "
                    + (process == null ? "" : "DROVER_PROCESS=" + process + ", ")
                    + (marker == null ? "no marker" : "marker " + marker) + "): " + String.join(" ", cmdline);
        }
    }

    private final Map<Integer, Proc> all;

    private ProcScan(Map<Integer, Proc> all) {
        this.all = all;
    }

    static ProcScan now() {
        Map<Integer, Proc> all = new HashMap<>();
        try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
            for (Path entry : entries.toList()) {
                String name = entry.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                Proc proc = read(Integer.parseInt(name));
                if (proc != null) {
                    all.put(proc.pid(), proc);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc", e);
        }
        return new ProcScan(all);
    }

    /** One process, or null when it is gone. */
    static Proc read(int pid) {
        Path dir = Path.of("/proc", Integer.toString(pid));
        String stat;
        try {
            stat = Files.readString(dir.resolve("stat"), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return null; // gone
        }
        int close = stat.lastIndexOf(')');
        String[] f = stat.substring(close + 2).trim().split(" ");
        char state = f[0].charAt(0);
        int ppid = Integer.parseInt(f[1]);
        long startTime = Long.parseLong(f[19]);
        String marker = null, process = null, replica = null;
        try {
            for (String variable : split(Files.readAllBytes(dir.resolve("environ")))) {
                if (variable.startsWith("DROVER_SPAWN_ID=")) {
                    marker = variable.substring("DROVER_SPAWN_ID=".length());
                } else if (variable.startsWith("DROVER_PROCESS=")) {
                    process = variable.substring("DROVER_PROCESS=".length());
                } else if (variable.startsWith("DROVER_REPLICA=")) {
                    replica = variable.substring("DROVER_REPLICA=".length());
                }
            }
        } catch (IOException e) {
            // gone, or not ours to read
        }
        List<String> cmdline;
        try {
            cmdline = split(Files.readAllBytes(dir.resolve("cmdline")));
        } catch (IOException e) {
            cmdline = List.of();
        }
        return new Proc(pid, ppid, state, startTime, marker, process, replica, cmdline);
    }

    private static List<String> split(byte[] bytes) {
        List<String> parts = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                parts.add(new String(bytes, start, i - start, StandardCharsets.UTF_8));
                start = i + 1;
            }
        }
        if (start < bytes.length) {
            parts.add(new String(bytes, start, bytes.length - start, StandardCharsets.UTF_8));
        }
        return parts;
    }

    Proc get(int pid) {
        return all.get(pid);
    }

    List<Proc> all() {
        return List.copyOf(all.values());
    }

    /** Every live (non-zombie) process whose marker starts with {@code prefix}. */
    List<Proc> marked(String prefix) {
        return all.values().stream()
                .filter(p -> !p.zombie() && p.marker() != null && p.marker().startsWith(prefix))
                .toList();
    }

    /** Every descendant of {@code root} (not root itself), by parent links. */
    Set<Integer> descendants(int root) {
        Map<Integer, List<Integer>> children = new HashMap<>();
        for (Proc p : all.values()) {
            children.computeIfAbsent(p.ppid(), k -> new ArrayList<>()).add(p.pid());
        }
        Set<Integer> found = new HashSet<>();
        List<Integer> todo = new ArrayList<>(children.getOrDefault(root, List.of()));
        while (!todo.isEmpty()) {
            int pid = todo.removeLast();
            if (found.add(pid)) {
                todo.addAll(children.getOrDefault(pid, List.of()));
            }
        }
        return found;
    }

    /** Whether {@code pid} is {@code ancestor} or one of its descendants. */
    boolean inTreeOf(int pid, int ancestor) {
        int current = pid;
        for (int hops = 0; hops < 64 && current > 1; hops++) {
            if (current == ancestor) {
                return true;
            }
            Proc p = all.get(current);
            if (p == null) {
                return false;
            }
            current = p.ppid();
        }
        return false;
    }

    /** Live processes carrying a marker of {@code prefix}, grouped into instances ("name.replica") by distinct marker. */
    Map<String, Set<String>> instancesByMarker(String prefix) {
        Map<String, Set<String>> markers = new HashMap<>();
        for (Proc p : marked(prefix)) {
            if (p.process() != null) {
                markers.computeIfAbsent(p.process() + "." + p.replica(), k -> new HashSet<>())
                        .add(p.marker());
            }
        }
        return markers;
    }

    /** Threads of a process, from /proc/PID/status (every JVM thread, not virtual threads); -1 when gone. */
    static int threads(int pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Integer.toString(pid), "status"))) {
                if (line.startsWith("Threads:")) {
                    return Integer.parseInt(line.substring("Threads:".length()).trim());
                }
            }
        } catch (IOException e) {
            // gone
        }
        return -1;
    }

    /** Open file descriptors of a process; -1 when gone. */
    static int fds(int pid) {
        try (Stream<Path> fds = Files.list(Path.of("/proc", Integer.toString(pid), "fd"))) {
            return (int) fds.count();
        } catch (IOException e) {
            return -1;
        }
    }

    /** The kernel state letter of a process (R, S, T, Z...), or '?' when gone. */
    static char state(int pid) {
        Proc p = read(pid);
        return p == null ? '?' : p.state();
    }
}
