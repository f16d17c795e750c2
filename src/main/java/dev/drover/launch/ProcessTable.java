package dev.drover.launch;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A snapshot of every process in /proc, with the parent links needed to walk a tree. */
final class ProcessTable {
    private static final Object SCAN_LOCK = new Object();
    private static ProcessTable latest;

    private final long takenAtNanos;
    private final Map<Integer, ProcStat> byPid;
    private final Map<Integer, List<Integer>> children = new HashMap<>();
    private Map<Integer, List<Integer>> bySessionOrGroup; // built on first use

    private ProcessTable(long takenAtNanos, Map<Integer, ProcStat> byPid) {
        this.takenAtNanos = takenAtNanos;
        this.byPid = byPid;
        for (ProcStat stat : byPid.values()) {
            children.computeIfAbsent(stat.ppid(), k -> new ArrayList<>()).add(stat.pid());
        }
    }

    /**
     * A snapshot begun no earlier than {@code notBeforeNanos}: callers stopping many services at once
     * share one scan instead of each reading all of /proc.
     */
    static ProcessTable scan(long notBeforeNanos) {
        synchronized (SCAN_LOCK) {
            if (latest != null && latest.takenAtNanos >= notBeforeNanos) {
                return latest;
            }
            long start = System.nanoTime();
            Map<Integer, ProcStat> stats;
            try {
                // With the descriptor table full, the whole walk runs on the reserve (it needs two).
                stats = Descriptors.withReserve(ProcessTable::readAll);
            } catch (IOException e) {
                // /proc is always there: a walk that fails could not look, which never means "nothing".
                throw new Descriptors.ExhaustedException("cannot read /proc", e);
            }
            latest = new ProcessTable(start, stats);
            return latest;
        }
    }

    private static Map<Integer, ProcStat> readAll() throws IOException {
        Map<Integer, ProcStat> stats = new HashMap<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(Path.of("/proc"))) {
            for (Path dir : dirs) {
                String name = dir.getFileName().toString();
                if (!name.isEmpty() && Character.isDigit(name.charAt(0))) {
                    // Without the reserve: a full table fails the walk, which is then run once more on it.
                    ProcStat stat = ProcStat.readOrFail(Integer.parseInt(name));
                    if (stat != null) {
                        stats.put(stat.pid(), stat);
                    }
                }
            }
        }
        return stats;
    }

    ProcStat get(int pid) {
        return byPid.get(pid);
    }

    Collection<ProcStat> all() {
        return byPid.values();
    }

    /** The processes whose session or process group is {@code id} (a child leads both). */
    synchronized List<Integer> inSessionOrGroupOf(int id) {
        if (bySessionOrGroup == null) {
            bySessionOrGroup = new HashMap<>();
            for (ProcStat stat : byPid.values()) {
                bySessionOrGroup
                        .computeIfAbsent(stat.session(), k -> new ArrayList<>())
                        .add(stat.pid());
                if (stat.pgrp() != stat.session()) {
                    bySessionOrGroup
                            .computeIfAbsent(stat.pgrp(), k -> new ArrayList<>())
                            .add(stat.pid());
                }
            }
        }
        return bySessionOrGroup.getOrDefault(id, List.of());
    }

    List<Integer> childrenOf(int pid) {
        return children.getOrDefault(pid, List.of());
    }

    /** The given roots and every process below them. */
    Set<Integer> withDescendants(Collection<Integer> roots) {
        Set<Integer> seen = new HashSet<>();
        ArrayDeque<Integer> todo = new ArrayDeque<>(roots);
        while (!todo.isEmpty()) {
            int pid = todo.pop();
            if (byPid.containsKey(pid) && seen.add(pid)) {
                todo.addAll(childrenOf(pid));
            }
        }
        return seen;
    }

    /** True when an entry of /proc/PID/environ starts with {@code prefix}. */
    static boolean environStartsWith(int pid, String prefix) {
        return anyEnvironEntry(pid, prefix.getBytes(StandardCharsets.UTF_8), false);
    }

    /** True when /proc/PID/environ holds exactly {@code entry} (KEY=VALUE). */
    static boolean environHas(int pid, String entry) {
        return anyEnvironEntry(pid, entry.getBytes(StandardCharsets.UTF_8), true);
    }

    /** Scans the NUL-separated entries of /proc/PID/environ for one that starts with (or is) {@code wanted}. */
    private static boolean anyEnvironEntry(int pid, byte[] wanted, boolean whole) {
        byte[] env = Descriptors.readOrNull(Path.of("/proc", Integer.toString(pid), "environ"));
        if (env == null) {
            return false; // gone, or not ours to read
        }
        int start = 0;
        for (int i = 0; i <= env.length; i++) {
            if (i == env.length || env[i] == 0) {
                int length = i - start;
                boolean fits = whole ? length == wanted.length : length >= wanted.length;
                if (fits && java.util.Arrays.equals(env, start, start + wanted.length, wanted, 0, wanted.length)) {
                    return true;
                }
                start = i + 1;
            }
        }
        return false;
    }
}
