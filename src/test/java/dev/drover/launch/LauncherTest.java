package dev.drover.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.drover.Describe;
import dev.drover.Waits;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LauncherTest {
    private final Launcher launcher = Launcher.get();
    private final List<Child> started = new ArrayList<>();

    @TempDir
    Path dir;

    @AfterEach
    void killEverythingStarted() throws Exception {
        for (Child child : started) {
            child.stop(Signals.SIGKILL, Duration.ZERO).get(10, TimeUnit.SECONDS);
        }
    }

    private Child spawn(String script, String cgroup, OutputSink out) throws SpawnException {
        Child child = launcher.spawn(
                new SpawnSpec(List.of("/bin/sh", "-c", script), Map.of("PATH", System.getenv("PATH")), dir, cgroup),
                out,
                OutputSink.DISCARD);
        started.add(child);
        return child;
    }

    @Test
    void capturesOutputAndExitCode() throws Exception {
        Capture out = new Capture();
        Child child = spawn("echo hello; echo world; exit 3", null, out);
        assertThat(child.onExit().get(10, TimeUnit.SECONDS)).isEqualTo(ExitStatus.exited(3));
        assertThat(out.closed.get(10, TimeUnit.SECONDS)).isEqualTo("hello\nworld\n");
    }

    /**
     * Floods its stdout until the pipe has grown to 1 MiB (or 32 MiB went by), says on stderr how
     * big the pipe is and how much it wrote, then waits to be stopped with the pipe still open.
     */
    private static final String FLOOD = """
            import fcntl, sys, time
            block, written, size = b"x" * 99 + b"\\n", 0, 0
            while written < 32 << 20:
                sys.stdout.buffer.write(block * 1000); sys.stdout.buffer.flush(); written += 100000
                size = fcntl.fcntl(1, 1032)  # F_GETPIPE_SZ
                if size >= 1 << 20: break
            sys.stderr.write(f"{size} {written}\\n"); sys.stderr.flush()
            time.sleep(120)
            """;

    private Child flood(Count out, Capture err) throws SpawnException {
        Child child = launcher.spawn(
                new SpawnSpec(List.of("python3", "-c", FLOOD), Map.of("PATH", System.getenv("PATH")), dir, null),
                out,
                err);
        started.add(child);
        return child;
    }

    @Test
    void aPipeFoundFullGrowsAndItsOutputArrivesWhole() throws Exception {
        Count out = new Count();
        Capture err = new Capture();
        Child child = flood(out, err);
        Waits.until(
                Duration.ofSeconds(30),
                "the flooding child reports its pipe size",
                () -> err.text().contains("\n"),
                () -> err.text() + "; read from its stdout: " + out.bytes() + " bytes; " + describe(child));
        String[] report = err.text().strip().split(" ");
        assertThat(Integer.parseInt(report[0])).as(err.text()).isEqualTo(OutputPump.GROWN_PIPE);
        long written = Long.parseLong(report[1]);
        Waits.until(
                Duration.ofSeconds(30),
                "every byte it wrote was read",
                () -> out.bytes() == written,
                () -> out.bytes() + " of " + written);
    }

    @Test
    void onlySoManyPipesAreGrownAtATime() throws Exception {
        int children = OutputPump.MAX_GROWN + 1;
        List<Capture> reports = new ArrayList<>();
        for (int i = 0; i < children; i++) {
            Capture err = new Capture();
            reports.add(err);
            flood(new Count(), err);
        }
        Waits.until(
                Duration.ofSeconds(45),
                "every flooding child reports its pipe size",
                () -> reports.stream().allMatch(err -> err.text().contains("\n")),
                () -> reports.stream().map(Capture::text).toList().toString());
        List<Integer> sizes = reports.stream()
                .map(err -> Integer.parseInt(err.text().strip().split(" ")[0]))
                .sorted()
                .toList();
        assertThat(sizes)
                .as("one stays at the kernel's 64 KiB, the rest grow")
                .containsExactly(64 * 1024, 1 << 20, 1 << 20, 1 << 20, 1 << 20, 1 << 20, 1 << 20, 1 << 20, 1 << 20);
    }

    @Test
    void reportsTheKillingSignal() throws Exception {
        Child child = spawn("exec sleep 30", null, OutputSink.DISCARD);
        assertThat(child.signal(Signals.SIGKILL)).isTrue();
        assertThat(child.onExit().get(10, TimeUnit.SECONDS)).isEqualTo(ExitStatus.killed(9, false));
    }

    @Test
    void childLeadsItsOwnSessionAndSeesOnlyStdio() throws Exception {
        Capture out = new Capture();
        Child child = spawn("ps -o sid= -o pgid= -p $$; ls /proc/self/fd | wc -l", null, out);
        child.onExit().get(10, TimeUnit.SECONDS);
        String[] lines = out.closed.get(10, TimeUnit.SECONDS).trim().split("\n");
        assertThat(lines[0].trim().split("\\s+")).containsExactly("" + child.pid(), "" + child.pid());
        // 0, 1, 2 and the directory ls itself opens
        assertThat(Integer.parseInt(lines[1].trim())).isEqualTo(4);
    }

    @Test
    void commandNotFoundFailsTheSpawn() {
        assertThatThrownBy(() -> launcher.spawn(
                        new SpawnSpec(List.of("no-such-command-xyz"), Map.of("PATH", "/usr/bin:/bin"), dir, null),
                        OutputSink.DISCARD,
                        OutputSink.DISCARD))
                .isInstanceOf(SpawnException.class)
                .hasMessageContaining("command not found: no-such-command-xyz");
    }

    @Test
    void missingWorkingDirectoryFailsTheSpawn() {
        assertThatThrownBy(() -> launcher.spawn(
                        new SpawnSpec(List.of("true"), Map.of(), dir.resolve("nope"), null),
                        OutputSink.DISCARD,
                        OutputSink.DISCARD))
                .isInstanceOf(SpawnException.class)
                .hasMessageContaining("does not exist");
    }

    @Test
    void permissionDeniedFailsTheSpawn() throws Exception {
        Path script = Files.writeString(dir.resolve("script.sh"), "#!/bin/sh\necho hi\n");
        assertThatThrownBy(() -> launcher.spawn(
                        new SpawnSpec(List.of(script.toString()), Map.of(), dir, null),
                        OutputSink.DISCARD,
                        OutputSink.DISCARD))
                .isInstanceOf(SpawnException.class)
                .hasMessageContaining("permission denied");
    }

    /**
     * A restart does not wait for the kernel to make a cgroup: once a name has run twice, the
     * cgroup of its next run is made ahead, off the spawn's path, and that run is moved into it.
     */
    @Test
    void aNameThatRunsAgainHasItsNextCgroupMadeAheadAndItsNextRunUsesIt() throws Exception {
        assumeTrue(launcher.cgroupsAvailable(), "needs a writable cgroup v2 tree");
        String label = "ahead-" + System.nanoTime();
        Child first = spawn("exec sleep 300", label, OutputSink.DISCARD);
        Child second = spawn("exec sleep 300", label, OutputSink.DISCARD);
        Path base = first.cgroup().getParent();
        List<Path> inUse = List.of(first.cgroup(), second.cgroup());
        Path[] spare = {null};
        Waits.until(
                Duration.ofSeconds(10),
                "a third, empty cgroup for " + label + " besides " + inUse,
                () -> {
                    try (var dirs = Files.list(base)) {
                        spare[0] = dirs.filter(d -> d.getFileName().toString().startsWith(label + "-"))
                                .filter(d -> !inUse.contains(d))
                                .findFirst()
                                .orElse(null);
                    }
                    return spare[0] != null;
                },
                () -> Describe.directory(base));
        assertThat(Cgroups.pids(spare[0])).as("made ahead: nobody in it yet").isEmpty();

        Child third = spawn("exec sleep 300", label, OutputSink.DISCARD);

        assertThat(third.cgroup())
                .as("the next run takes the cgroup made ahead")
                .isEqualTo(spare[0]);
        Waits.until(
                Duration.ofSeconds(10),
                "the third run in its cgroup",
                () -> Cgroups.pids(spare[0]).contains(third.pid()),
                () -> describe(third) + "\n" + Describe.directory(base));
    }

    @ParameterizedTest
    @ValueSource(strings = {"cgroup", "tree"})
    void stopKillsADoubleForkedSetsidGrandchild(String mode) throws Exception {
        Path pidFile = dir.resolve("grandchild.pid");
        Child child = spawn(
                "(setsid sh -c 'echo $$ > " + pidFile + "; exec sleep 300' &) ; exec sleep 300",
                mode.equals("cgroup") ? "test" : null,
                OutputSink.DISCARD);
        assertThat(child.usesCgroup()).isEqualTo(mode.equals("cgroup") && launcher.cgroupsAvailable());
        Waits.until(
                Duration.ofSeconds(10),
                "a pid in grandchild.pid",
                () -> Files.exists(pidFile) && !Files.readString(pidFile).isBlank(),
                () -> Describe.file(pidFile) + describe(child));
        int grandchild = Integer.parseInt(Files.readString(pidFile).trim());
        ProcessRef ref = ProcessRef.of(grandchild);
        assertThat(ref).isNotNull();
        assertThat(ProcStat.read(grandchild).session()).isNotEqualTo(child.pid());

        StopOutcome outcome = child.stop(Signals.SIGTERM, Duration.ofSeconds(5)).get(20, TimeUnit.SECONDS);

        assertThat(outcome.exit()).isEqualTo(ExitStatus.killed(15, false));
        Waits.until(
                Duration.ofSeconds(5),
                "the grandchild to be gone",
                () -> !ref.isAlive(),
                () -> "grandchild " + Describe.process(ref) + "\n" + describe(child));
        assertThat(child.leftovers()).isEmpty();
    }

    /**
     * An orphan with no marker (its environment cleared) in a process group of its own, that stayed
     * in the child's session: the stop signal to the child's group misses it, and once its parent
     * has exited it is found by its session alone (no cgroup here).
     */
    @Test
    void stopKillsAnOrphanedGrandchildWithoutMarkerThatStayedInTheSession() throws Exception {
        Path pidFile = dir.resolve("grandchild.pid");
        Child child = spawn(
                "(env -i /usr/bin/python3 -c 'import os; os.setpgid(0, 0); open(\"" + pidFile
                        + "\", \"w\").write(str(os.getpid())); os.execv(\"/bin/sleep\", [\"sleep\", \"300\"])' &) ;"
                        + " exec sleep 300",
                null,
                OutputSink.DISCARD);
        Waits.until(
                Duration.ofSeconds(10),
                "a pid in grandchild.pid",
                () -> Files.exists(pidFile) && !Files.readString(pidFile).isBlank(),
                () -> Describe.file(pidFile) + describe(child));
        int grandchild = Integer.parseInt(Files.readString(pidFile).trim());
        ProcessRef ref = ProcessRef.of(grandchild);
        assertThat(ref).isNotNull();
        Waits.until(
                Duration.ofSeconds(10),
                "the grandchild to be handed to us (its parent, the subshell, exits at once)",
                () -> ProcStat.read(grandchild).ppid() == Launcher.selfPid(),
                () -> "grandchild " + Describe.process(ref) + "\n" + describe(child));
        ProcStat stat = ProcStat.read(grandchild);
        assertThat(stat.session()).isEqualTo(child.pid());
        assertThat(stat.pgrp()).isEqualTo(grandchild);
        assertThat(ProcessTable.environStartsWith(grandchild, Launcher.MARKER_VARIABLE + "="))
                .isFalse();

        StopOutcome outcome = child.stop(Signals.SIGTERM, Duration.ofSeconds(5)).get(20, TimeUnit.SECONDS);

        assertThat(outcome.exit()).isEqualTo(ExitStatus.killed(15, false));
        Waits.until(
                Duration.ofSeconds(5),
                "the grandchild to be gone",
                () -> !ref.isAlive(),
                () -> "grandchild " + Describe.process(ref) + "\n" + describe(child));
        assertThat(child.leftovers()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"cgroup", "tree"})
    void usageCountsTheMemoryAndCpuOfTheWholeTree(String mode) throws Exception {
        // A grandchild holds 40 MiB; the child itself burns CPU.
        Path ready = dir.resolve("ready");
        Child child = spawn(
                "python3 -c 'import time; x = bytearray(40 << 20); open(\"" + ready
                        + "\", \"w\").close(); time.sleep(300)' & " + "while :; do :; done",
                mode.equals("cgroup") ? "usage" : null,
                OutputSink.DISCARD);
        Waits.until(
                Duration.ofSeconds(20),
                "the grandchild to hold its memory",
                () -> Files.exists(ready),
                () -> describe(child));
        Usage first = Child.measure(List.of(child), true).get(child);
        assertThat(first.processes()).isGreaterThanOrEqualTo(2);
        assertThat(first.rssBytes()).isGreaterThan(40L << 20);
        Waits.until(
                Duration.ofSeconds(20),
                "100 ms more CPU time",
                () -> Child.measure(List.of(child), true).get(child).cpuNanos() > first.cpuNanos() + 100_000_000L,
                () -> "first " + first + ", now "
                        + Child.measure(List.of(child), true).get(child) + "\n" + describe(child));
        // Between walks the members found outside the cgroup are still counted.
        Usage later = Child.measure(List.of(child), false).get(child);
        assertThat(later.cpuNanos()).isGreaterThanOrEqualTo(first.cpuNanos());
        assertThat(later.processes()).isEqualTo(first.processes());
        assertThat(later.rssBytes()).isGreaterThan(40L << 20);
    }

    @Test
    void stopKillsAChildThatIgnoresTermAfterTheGracePeriod() throws Exception {
        Capture out = new Capture();
        Child child = spawn("trap '' TERM; echo ready; while :; do sleep 0.1; done", "ignorer", out);
        Waits.until(
                Duration.ofSeconds(10),
                "the child to print ready",
                () -> out.text().contains("ready"),
                () -> "output: " + out.text() + "\n" + describe(child));
        long start = System.nanoTime();
        StopOutcome outcome =
                child.stop(Signals.SIGTERM, Duration.ofMillis(500)).get(20, TimeUnit.SECONDS);
        assertThat(outcome.forced()).isTrue();
        assertThat(outcome.exit()).isEqualTo(ExitStatus.killed(9, false));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(500));
    }

    @Test
    void orphanedGrandchildrenAreReapedAndLeaveNoZombie() throws Exception {
        long before = launcher.orphansReaped();
        Child child = spawn("for i in $(seq 200); do (sleep 0.2 &) ; done; exit 0", null, OutputSink.DISCARD);
        assertThat(child.onExit().get(20, TimeUnit.SECONDS).success()).isTrue();
        Waits.until(
                Duration.ofSeconds(20),
                "200 orphans reaped",
                () -> launcher.orphansReaped() - before >= 200,
                () -> "reaped " + (launcher.orphansReaped() - before) + "; zombie children:\n" + zombies()
                        + describe(child));
        Waits.until(
                Duration.ofSeconds(5), "no zombie child", () -> zombieChildren().isEmpty(), LauncherTest::zombies);
    }

    /** The test JVM's zombie children, one a line. */
    private static String zombies() {
        StringBuilder text = new StringBuilder();
        for (int pid : zombieChildren()) {
            text.append("  ").append(Describe.process(pid)).append('\n');
        }
        return text.isEmpty() ? "  (none)\n" : text.toString();
    }

    /** A child now: its main process, whether and how it ended, and what of its tree is still alive. */
    private static String describe(Child child) {
        String exit = child.onExit()
                .handle((status, error) -> error == null ? "exited: " + status : "exit failed: " + error)
                .getNow("not exited");
        return "child " + Describe.process(child.ref()) + ", " + exit + ", in a cgroup: " + child.usesCgroup()
                + "\nstill alive of its tree:\n" + Describe.processes(child.leftovers());
    }

    static List<Integer> zombieChildren() {
        ProcessTable table = ProcessTable.scan(System.nanoTime());
        return table.childrenOf(Launcher.selfPid()).stream()
                .filter(pid -> table.get(pid).zombie())
                .toList();
    }

    static final class Count implements OutputSink {
        private final java.util.concurrent.atomic.AtomicLong bytes = new java.util.concurrent.atomic.AtomicLong();

        @Override
        public void onData(byte[] buffer, int length) {
            bytes.addAndGet(length);
        }

        @Override
        public void onClose() {}

        long bytes() {
            return bytes.get();
        }
    }

    static final class Capture implements OutputSink {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final CompletableFuture<String> closed = new CompletableFuture<>();

        @Override
        public synchronized void onData(byte[] buffer, int length) {
            bytes.write(buffer, 0, length);
        }

        @Override
        public synchronized void onClose() {
            closed.complete(text());
        }

        synchronized String text() {
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }
}
