package dev.drover.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.drover.Awaits;
import dev.drover.Waits;
import dev.drover.launch.ProcessRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Children that try to get away: a bounded fork bomb (3 × 3 × 3 below the main process, the first
 * level exiting so the rest are orphaned), double forks with setsid, process-group changes
 * ({@code set -m}, setpgid), SIGTERM ignored (SIG_IGN and a handler), and a setsid grandchild that
 * ignores SIGTERM and whose children change their group, and a TERM-ignoring loop that keeps
 * starting setsid children (also while it is being stopped). Every process records its PID and start
 * time (field 22 of /proc/PID/stat); after `drover stop NAME` and after `drover down`, none of them
 * may run. Run with cgroup v2 (when the machine has it) and with {@code DROVER_CGROUPS=off}.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class EscapeesIT {
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(3);
    /** `drover down` may take the stop timeout (TERM is ignored) plus this: CLI start-up, SIGKILL, reaping, daemon exit. */
    private static final Duration DOWN_MARGIN = Duration.ofSeconds(10);

    /** Service → how many processes it records (itself included). */
    private static final Map<String, Integer> EXPECTED = new LinkedHashMap<>();

    static {
        EXPECTED.put("bomb", 1 + 3 + 9 + 27);
        EXPECTED.put("doublefork", 4);
        EXPECTED.put("pgroup", 5);
        EXPECTED.put("stubborn", 4);
        EXPECTED.put("combo", 4);
        EXPECTED.put("respawner", 4); // at least: it keeps starting setsid children, also while being stopped
    }

    /** Services whose count grows: {@link #EXPECTED} is a minimum. */
    private static final Set<String> GROWING = Set.of("respawner");

    @TempDir
    Path dir;

    private DaemonHarness drover;

    @AfterEach
    void cleanUp() {
        if (drover != null) {
            drover.close();
        }
    }

    /** One recorded process. */
    record Recorded(ProcessRef ref, String label, String file) {
        @Override
        public String toString() {
            return label + " pid " + ref.pid() + " (" + file + ", " + describe(ref.pid()) + ")";
        }
    }

    @ParameterizedTest(name = "cgroups {0}")
    @ValueSource(strings = {"auto", "off"})
    void nothingAChildStartedSurvivesStopOrDown(String cgroups) throws Exception {
        writeScripts();
        drover = new DaemonHarness(dir).env("DROVER_CGROUPS", cgroups.equals("off") ? "off" : null);
        StringBuilder figures = new StringBuilder("[escapees cgroups=" + cgroups + "]");

        DaemonHarness.Result up = drover.up();
        assertThat(up.exitCode()).as(up.toString()).isZero();
        Map<String, List<Recorded>> first = awaitAllRecorded(Set.of());
        first.values().forEach(list -> list.forEach(r -> drover.track(r.ref())));

        // The mode under test really is the one in use: the main processes are (or are not) in a drover cgroup.
        boolean cgroupV2 = cgroupV2Writable();
        for (String name : EXPECTED.keySet()) {
            int main = drover.pid(name);
            if (cgroups.equals("off") || !cgroupV2) {
                assertThat(cgroupOf(main)).as(name + " cgroup").doesNotContain("/drover-");
            } else {
                Waits.until(
                        Duration.ofSeconds(10),
                        name + " (pid " + main + ") in a drover cgroup",
                        () -> cgroupOf(main).contains("/drover-"),
                        () -> "its cgroup: " + cgroupOf(main) + "\n" + drover.describe());
            }
        }
        figures.append(" cgroup v2 in use: ").append(!cgroups.equals("off") && cgroupV2);

        // Phase 1: `drover stop NAME`, one service at a time; the others must be untouched.
        List<String> stopped = new ArrayList<>();
        List<String> survivors = new ArrayList<>();
        for (String name : EXPECTED.keySet()) {
            long start = System.nanoTime();
            DaemonHarness.Result stop = drover.run("stop", name);
            assertThat(stop.exitCode()).as(stop.toString()).isZero();
            Awaits.until(
                    await().atMost(STOP_TIMEOUT.plusSeconds(30)).pollInterval(Duration.ofMillis(100)),
                    name + " to stop",
                    () -> drover.state(name).equals("stopped"),
                    drover::describe);
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            figures.append("\n  stop ").append(name).append(": ").append(tookMs).append(" ms until `ps` says stopped");
            stopped.add(name);
            first.put(name, recorded(name, Set.of())); // what it started while being stopped too
            first.get(name).forEach(r -> drover.track(r.ref()));
            // Stopped means everything it started is gone (a zombie not yet reaped is no longer running).
            List<Recorded> running =
                    first.get(name).stream().filter(r -> r.ref().isRunning()).toList();
            survivors.addAll(
                    running.stream().map(r -> "after `stop " + name + "`: " + r).toList());
            // And reaped within a moment (no zombie outlives a second, plus a margin for a loaded machine).
            List<Recorded> lingering = awaitGone(first.get(name), Duration.ofSeconds(3));
            survivors.addAll(lingering.stream()
                    .filter(r -> !running.contains(r))
                    .map(r -> "after `stop " + name + "` (still present 3 s later): " + r)
                    .toList());
            for (String other : EXPECTED.keySet()) {
                if (!stopped.contains(other)) {
                    List<Recorded> dead = first.get(other).stream()
                            .filter(r ->
                                    !r.label().equals("bomb-L1") && !r.ref().isRunning())
                            .toList();
                    assertThat(dead)
                            .as("stopping " + name + " must not touch " + other)
                            .isEmpty();
                }
            }
        }
        assertThat(survivors).as("processes that outlived `drover stop NAME`").isEmpty();

        // Phase 2: start them all again, then `drover down`.
        DaemonHarness.Result start = drover.run("start", "--all");
        assertThat(start.exitCode()).as(start.toString()).isZero();
        Set<String> firstFiles = first.values().stream()
                .flatMap(List::stream)
                .map(Recorded::file)
                .collect(Collectors.toSet());
        Map<String, List<Recorded>> second = awaitAllRecorded(firstFiles);
        second.values().forEach(list -> list.forEach(r -> drover.track(r.ref())));
        ProcessRef daemon = drover.daemon();

        DaemonHarness.Result down = drover.run(Duration.ofSeconds(90), "down");
        for (String name : EXPECTED.keySet()) {
            second.put(name, recorded(name, firstFiles));
            second.get(name).forEach(r -> drover.track(r.ref()));
        }
        figures.append("\n  down: ")
                .append(down.took().toMillis())
                .append(" ms (stop_timeout ")
                .append(STOP_TIMEOUT.toMillis())
                .append(" ms, bound ")
                .append(STOP_TIMEOUT.plus(DOWN_MARGIN).toMillis())
                .append(" ms)");
        assertThat(down.exitCode()).as(down.toString()).isZero();
        List<Recorded> all = second.values().stream().flatMap(List::stream).toList();
        List<Recorded> afterDown = all.stream().filter(r -> r.ref().isRunning()).toList();
        List<Recorded> lingering = awaitGone(all, Duration.ofSeconds(3));
        figures.append("\n  processes recorded: ")
                .append(first.values().stream().mapToInt(List::size).sum())
                .append(" + ")
                .append(all.size())
                .append("; running after down: ")
                .append(afterDown.size())
                .append("; present 3 s later: ")
                .append(lingering.size());
        System.out.println(
                figures + "\n  daemon log:\n" + drover.daemonLogText().indent(4));
        assertThat(daemon.isRunning()).as("the daemon exited").isFalse();
        assertThat(afterDown).as("processes that outlived `drover down`").isEmpty();
        assertThat(lingering)
                .as("processes still present (e.g. unreaped) 3 s after `drover down`")
                .isEmpty();
        assertThat(down.took())
                .as("`drover down` with stop_timeout " + STOP_TIMEOUT)
                .isLessThan(STOP_TIMEOUT.plus(DOWN_MARGIN));
        assertThat(drover.daemonLogText()).doesNotContain("internal error").doesNotContain("stop failed");
    }

    /** Waits until every service recorded all its processes, in files not in {@code old}; service → processes. */
    private Map<String, List<Recorded>> awaitAllRecorded(Set<String> old) {
        Map<String, List<Recorded>> found = new LinkedHashMap<>();
        Awaits.until(
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)),
                "every service to record its processes " + EXPECTED,
                () -> {
                    found.clear();
                    for (String name : EXPECTED.keySet()) {
                        List<Recorded> recorded = recorded(name, old);
                        if (recorded.size() < EXPECTED.get(name)) {
                            return false;
                        }
                        found.put(name, recorded);
                    }
                    return true;
                },
                () -> {
                    StringBuilder text = new StringBuilder("recorded (in files not seen before):\n");
                    for (String name : EXPECTED.keySet()) {
                        text.append("  ")
                                .append(name)
                                .append(": ")
                                .append(recorded(name, old))
                                .append('\n');
                    }
                    return text + drover.describe();
                });
        for (String name : EXPECTED.keySet()) {
            if (GROWING.contains(name)) {
                assertThat(found.get(name))
                        .as(name + " recorded " + found.get(name))
                        .hasSizeGreaterThanOrEqualTo(EXPECTED.get(name));
            } else {
                assertThat(found.get(name))
                        .as(name + " recorded " + found.get(name))
                        .hasSize(EXPECTED.get(name));
            }
            // The first level of the bomb exits on purpose (so its children are orphaned); all else runs.
            assertThat(found.get(name))
                    .as(name + ": every recorded process runs")
                    .allMatch(r -> r.label().equals("bomb-L1") || r.ref().isRunning());
        }
        return found;
    }

    private List<Recorded> recorded(String name, Set<String> oldFiles) throws IOException {
        List<Recorded> all = new ArrayList<>();
        try (var files = Files.list(dir.resolve("pids"))) {
            for (Path file : files.filter(f -> f.getFileName().toString().startsWith(name + "."))
                    .toList()) {
                if (oldFiles.contains(file.toString())) {
                    continue;
                }
                for (String line : Files.readAllLines(file)) {
                    String[] parts = line.trim().split(" ");
                    if (parts.length == 3) {
                        all.add(new Recorded(
                                new ProcessRef(Integer.parseInt(parts[0]), Long.parseLong(parts[1])),
                                parts[2],
                                file.toString()));
                    }
                }
            }
        }
        return all;
    }

    /** Waits up to {@code timeout} for every process to be gone (reaped); returns those still present. */
    private static List<Recorded> awaitGone(List<Recorded> processes, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Recorded> left = processes;
        while (true) {
            left = left.stream().filter(r -> r.ref().isAlive()).toList();
            if (left.isEmpty() || System.nanoTime() > deadline) {
                return left;
            }
            await().pollDelay(Duration.ofMillis(50))
                    .atMost(Duration.ofSeconds(1))
                    .until(() -> true);
        }
    }

    private static String describe(int pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Integer.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            String cmd = new String(Files.readAllBytes(Path.of("/proc", Integer.toString(pid), "cmdline")))
                    .replace('\0', ' ')
                    .trim();
            return "state " + f[0] + ", ppid " + f[1] + ", pgrp " + f[2] + ", sid " + f[3] + ", cmd '" + cmd
                    + "', cgroup " + cgroupOf(pid).trim();
        } catch (IOException | RuntimeException e) {
            return "gone";
        }
    }

    private static String cgroupOf(int pid) {
        try {
            return Files.readAllLines(Path.of("/proc", Integer.toString(pid), "cgroup")).stream()
                    .filter(l -> l.startsWith("0::"))
                    .findFirst()
                    .orElse("");
        } catch (IOException e) {
            return "";
        }
    }

    /** Whether cgroup v2 is mounted read-write somewhere (Drover then uses it unless told not to). */
    private static boolean cgroupV2Writable() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] parts = line.split(" - ", 2);
            if (parts.length == 2 && parts[1].startsWith("cgroup2 ")) {
                String[] fields = parts[0].split(" ");
                return fields[5].startsWith("rw") && Files.isWritable(Path.of(fields[4]));
            }
        }
        return false;
    }

    private void writeScripts() throws IOException {
        Path pids = Files.createDirectories(dir.resolve("pids"));
        String lib = dir.resolve("lib.sh").toString();
        String leaf = dir.resolve("leaf.sh").toString();
        String node = dir.resolve("node.sh").toString();
        // rec PID LABEL: appends "PID STARTTIME LABEL" (start time = field 22 of /proc/PID/stat).
        Files.writeString(dir.resolve("lib.sh"), """
                rec() {
                    _s=$(cat /proc/$1/stat) || return 0
                    _r=${_s##*) }
                    set -- "$1" "$2" $_r
                    echo "$1 ${22} $2" >> "$PIDS"
                }
                """);
        String head = ". " + lib + "\nPIDS=" + pids + "/$DROVER_PROCESS.$$; export PIDS\nrec $$ main\n";
        Files.writeString(dir.resolve("leaf.sh"), ". " + lib + "\nrec $$ \"$1\"\nexec sleep 300\n");
        // The fork bomb: level 1 leaves its children to be reparented; levels 2 and 3 stay.
        Files.writeString(dir.resolve("node.sh"), ". " + lib + """

                rec $$ "bomb-L$1"
                if [ "$1" -lt 3 ]; then
                    for i in 1 2 3; do sh %s $(($1 + 1)) & done
                fi
                if [ "$1" -eq 1 ]; then exit 0; fi
                exec sleep 300
                """.formatted(node));
        Files.writeString(dir.resolve("bomb.sh"), head + """
                for i in 1 2 3; do sh %s 1 & done
                exec sleep 300
                """.formatted(node));
        Files.writeString(dir.resolve("doublefork.sh"), head + """
                setsid -f sh %1$s dfork-setsid-f
                sh -c 'sh -c "setsid sh %1$s dfork-shell &"'
                python3 - <<'EOF'
                import os
                pid = os.fork()
                if pid == 0:
                    os.setsid()
                    if os.fork() == 0:
                        os.execvp("sh", ["sh", "%1$s", "dfork-python"])
                    os._exit(0)
                os.waitpid(pid, 0)
                EOF
                exec sleep 300
                """.formatted(leaf));
        Files.writeString(dir.resolve("pgroup.sh"), head + """
                set -m
                sh %1$s pgrp-setm-1 &
                sh %1$s pgrp-setm-2 &
                ( sh %1$s pgrp-subshell & )
                set +m
                python3 -c 'import os; os.setpgid(0, 0); os.execvp("sh", ["sh", "%1$s", "pgrp-setpgid"])' &
                exec sleep 300
                """.formatted(leaf));
        Files.writeString(dir.resolve("stubborn.sh"), "trap '' TERM\n" + head + """
                sh %1$s stubborn-ign-1 &
                sh %1$s stubborn-ign-2 &
                sh -c '. %2$s; rec $$ stubborn-handler; trap "echo ignoring TERM" TERM; while :; do sleep 0.1; done' &
                exec sleep 300
                """.formatted(leaf, lib));
        // A setsid grandchild that ignores TERM, whose own children change group or call setsid again.
        Files.writeString(dir.resolve("combo-inner.sh"), ". " + lib + """

                rec $$ combo-setsid-ign
                bash -c 'set -m; sh %1$s combo-pgrp-ign &'
                setsid -f sh %1$s combo-setsid2-ign
                exec sleep 300
                """.formatted(leaf));
        Files.writeString(dir.resolve("combo.sh"), head + """
                sh -c "trap '' TERM; setsid sh %s &"
                exec sleep 300
                """.formatted(dir.resolve("combo-inner.sh")));
        Files.writeString(dir.resolve("respawner.sh"), "trap '' TERM\n" + head + """
                while :; do setsid -f sh %s respawned-ign; sleep 0.2; done
                """.formatted(leaf));
        StringBuilder yaml = new StringBuilder("processes:\n");
        for (String name : EXPECTED.keySet()) {
            String shell = name.equals("pgroup") ? "bash" : "sh";
            yaml.append("  ")
                    .append(name)
                    .append(": {command: \"")
                    .append(shell)
                    .append(' ')
                    .append(dir.resolve(name + ".sh"))
                    .append("\", stop_timeout: ")
                    .append(STOP_TIMEOUT.toSeconds())
                    .append("s}\n");
        }
        Files.writeString(dir.resolve("drover.yaml"), yaml.toString());
    }
}
